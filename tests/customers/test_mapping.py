"""The extract mapping as data: proposed from three differently laid-out
extracts, written and read back, its problems listed at once."""

import pandas as pd
import pytest

from analysis_lib.customers.mapping import detect_tenure_unit, propose_mapping, read_mapping, write_mapping
from analysis_lib.errors import InputDataError

from conftest import shared_path
from synthetic_extracts import card_extract, chinese_bank_extract


def _roles(mapping):
    return {c.column: (c.role, c.type) for c in mapping.columns}


def test_public_extract_layout_is_recognised():
    mapping = propose_mapping(pd.read_csv(shared_path("datasets", "churn_modelling.csv")))
    roles = _roles(mapping)
    assert roles["CustomerId"] == ("id", "id") and roles["Exited"] == ("churned", "flag")
    assert roles["Surname"][0] == "ignore" and roles["RowNumber"][0] == "ignore"
    assert roles["Balance"] == ("balance", "money") and roles["NumOfProducts"] == ("products", "count")
    assert roles["Geography"] == ("region", "category") and roles["IsActiveMember"] == ("feature", "flag")
    assert mapping.entry("Exited").values is None  # already 0/1
    assert mapping.tenure_unit == "years" and mapping.book_type == "deposits" and not mapping.notes


def test_chinese_headers_and_text_flags_are_recognised():
    mapping = propose_mapping(chinese_bank_extract(400))
    roles = _roles(mapping)
    assert roles["客户编号"][0] == "id" and roles["客户姓名"][0] == "ignore"
    assert roles["是否流失"] == ("churned", "flag") and mapping.entry("是否流失").values == {"否": 0, "是": 1}
    assert roles["开户日期"][0] == "open_date" and roles["销户日期"][0] == "close_date" and roles["数据日期"][0] == "observation_date"
    assert roles["手机银行活跃"] == ("feature", "flag") and mapping.entry("手机银行活跃").values == {"否": 0, "是": 1}
    assert roles["存款余额"] == ("balance", "money") and roles["理财资产"] == ("feature", "money")
    assert roles["持有产品数"] == ("products", "count") and roles["所属分行"][0] == "region" and roles["客户等级"][0] == "segment"


def test_card_layout_text_flag_and_months_are_recognised():
    mapping = propose_mapping(card_extract(400))
    roles = _roles(mapping)
    assert mapping.entry("Attrition_Flag").values == {"Attrited Customer": 1, "Existing Customer": 0}
    assert roles["CLIENTNUM"][0] == "id" and roles["Months_on_book"][0] == "tenure" and mapping.tenure_unit == "months"
    assert roles["Total_Trans_Amt"] == ("spend", "money") and roles["Total_Revolving_Bal"] == ("revolving", "money")
    assert roles["Total_Trans_Ct"] == ("feature", "numeric") and roles["Card_Category"] == ("feature", "category")
    assert mapping.book_type == "cards"


def test_round_trip_through_the_yaml_file(tmp_path):
    mapping = propose_mapping(card_extract(200))
    path = write_mapping(mapping, tmp_path / "card.yaml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Customer extract mapping") and "Attrited Customer: 1" in text
    again = read_mapping(path)
    assert again.columns == mapping.columns and again.tenure_unit == "months" and again.book_type == "cards"


def test_every_mapping_problem_is_listed_at_once(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("fx_rate: -2\ntenure_unit: weeks\nbook_type: mortgages\ncolumns:\n"
                    "  cid: {role: identifier}\n  left: {role: churned, type: flag, values: {gone: 2, here: 0}}\n"
                    "  age: {role: feature, type: integer}\n", encoding="utf-8")
    with pytest.raises(InputDataError) as caught:
        read_mapping(path)
    message = str(caught.value)
    for expected in ("column 'cid': unknown role 'identifier'", "column 'left': churn flag labels must map to 1 (left) or 0",
                     "column 'age': unknown type 'integer'", "no column has the required role 'id'", "tenure_unit 'weeks'",
                     "book_type 'mortgages'", "fx_rate -2"):
        assert expected in message, expected


def test_a_mapping_that_is_not_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("columns:\n  a: {role: id\n  b: [\n", encoding="utf-8")
    with pytest.raises(Exception, match="broken.yaml, line"):
        read_mapping(path)


@pytest.mark.parametrize("values, header, unit, warns", [
    ([0, 2, 10], "Tenure", "years", False),
    ([13, 40, 56], "Months_on_book", "months", False),
    ([3, 40, 120], "seniority", "months", False),
    ([1, 20, 35], "seniority", "years", True),
    ([1, 20, 61], "seniority", "months", False),
    ([1, 5, 9], "开户年限", "years", False),
    ([30, 400, 3000], "在网天数", "days", False),
])
def test_tenure_unit_detection(values, header, unit, warns):
    found, warning = detect_tenure_unit(pd.Series(values, dtype=float), header)
    assert found == unit and bool(warning) == warns
