import math
from pathlib import Path

import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.intake.panel import _ValueError, load_panel, parse_number, validate_panel_file

from conftest import SAMPLE_PANEL


@pytest.mark.parametrize(
    "raw, unit, expected",
    [
        ("0.087", "ratio", 0.087),
        ("8.7%", "ratio", 0.087),
        (" 8.7 % ", "ratio", 0.087),
        ("８.７％", "ratio", 0.087),
        ("1,234,567", "CNY", 1234567.0),
        ("1 234 567", "CNY", 1234567.0),
        ("125万", "CNY", 1250000.0),
        ("3.5亿", "count", 350000000.0),
        ("-12", "score", -12.0),
        (42, "count", 42.0),
        (0.5, "ratio", 0.5),
    ],
)
def test_parse_number_accepts_what_spreadsheets_write(raw, unit, expected):
    value, _ = parse_number(raw, unit)
    assert value == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["", "NA", "n/a", "-", "—", None, float("nan")])
def test_parse_number_missing_markers(raw):
    value, note = parse_number(raw, "ratio")
    assert math.isnan(value) and note is None


@pytest.mark.parametrize(
    "raw, unit, code",
    [("8,7", "ratio", "ambiguous_number"), ("12%", "count", "percent_not_ratio"), ("abc", "CNY", "non_numeric"),
     ("5万", "ratio", "non_numeric"), (True, "count", "non_numeric"), ("inf", "CNY", "non_numeric")],
)
def test_parse_number_rejects_ambiguous_or_wrong(raw, unit, code):
    with pytest.raises(_ValueError) as info:
        parse_number(raw, unit)
    assert info.value.code == code


def test_sample_panel_validates_clean():
    report = validate_panel_file(SAMPLE_PANEL)
    assert report.ok and not report.warnings, report.format()
    assert report.encoding == "utf-8"
    assert len(report.panel.data) >= 60
    assert len(report.panel.sha256) == 64


def test_invalid_cells_become_nan_and_are_listed_together(tmp_path):
    lines = SAMPLE_PANEL.read_text(encoding="utf-8").splitlines()[:4]
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("nps")] = "great"
    row[header.index("retention_mass")] = "1.7"
    row[header.index("peer_group")] = "bogus"
    path = tmp_path / "p.csv"
    path.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    report = validate_panel_file(path)
    assert {p.column for p in report.errors} == {"nps", "retention_mass", "peer_group"}
    assert all(p.row == 2 for p in report.errors)
    assert math.isnan(report.panel.data.loc[0, "nps"])
    with pytest.raises(InputDataError, match="3 error"):
        load_panel(path)


def test_periods_and_latest(tmp_path):
    frame = pd.read_csv(SAMPLE_PANEL).head(3)
    older = frame.assign(period="2024", cost_to_income=frame["cost_to_income"] + 0.05)
    newer = frame.assign(period="2025")
    path = tmp_path / "multi.csv"
    pd.concat([newer, older]).to_csv(path, index=False)
    panel = load_panel(path)
    assert panel.has_periods and len(panel.data) == 6
    latest = panel.latest()
    assert list(latest.data["period"]) == ["2025"] * 3
    assert panel.institution(frame.loc[0, "institution_id"])["cost_to_income"] == pytest.approx(frame.loc[0, "cost_to_income"])


def test_unknown_institution_suggests_close_ids(sample_panel):
    with pytest.raises(InputDataError, match="did you mean .*CITY-02"):
        sample_panel.institution("CITY-2")


def test_xlsx_with_chinese_headers_round_trip(tmp_path):
    from analysis_lib.reference.catalog import load_catalog, load_size_fields

    frame = pd.read_csv(SAMPLE_PANEL).head(5)
    catalog, sizes = load_catalog(), load_size_fields()
    names = {m: catalog.label(m, "zh") for m in catalog.ids} | {f: sizes.at[f, "label_zh"] for f in sizes.index}
    names |= {"institution_id": "机构代码", "peer_group": "同业组", "name": "机构名称", "is_synthetic": "合成数据", "note": "备注"}
    path = tmp_path / "zh.xlsx"
    frame.rename(columns=names).to_excel(path, sheet_name="机构", index=False)
    panel = load_panel(path)
    pd.testing.assert_series_equal(panel.data["cost_to_income"], frame["cost_to_income"], check_names=False)


def test_a_former_chinese_label_is_still_read_as_its_metric(tmp_path):
    """A client file made with an earlier template (普通客户 rather than
    大众客户 for the mass market) is read the same: the catalog's aliases."""
    frame = pd.read_csv(SAMPLE_PANEL).head(6)
    path = tmp_path / "former.csv"
    frame.rename(columns={"retention_mass": "普通客户留存率", "acq_cost_mass": "普通客户获客成本"}).to_csv(path, index=False)
    panel = load_panel(path)
    for metric in ("retention_mass", "acq_cost_mass"):
        pd.testing.assert_series_equal(panel.data[metric], frame[metric].astype(float), check_names=False)


def test_source_rows_survive_blank_and_ragged_rows(tmp_path):
    from analysis_lib.report.diagnostic import run_diagnostic

    lines = SAMPLE_PANEL.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = lines[5].split(",")
    bad[header.index("revenue")] = "lots"
    # rows: header 1, two institutions 2-3, blank 4, a ragged row 5, an institution 6, the bad one 7
    path = tmp_path / "gappy.csv"
    path.write_text("\n".join([lines[0], *lines[1:3], "", lines[3] + ",extra", lines[4], ",".join(bad), *lines[6:]]) + "\n",
                    encoding="utf-8")
    report = validate_panel_file(path)
    data = report.panel.data.set_index("institution_id")
    bad_id = bad[0]
    assert data.loc[bad_id, "source_row"] == 7
    assert any(p.row == 7 and p.column == "revenue" for p in report.errors)
    with pytest.raises(InputDataError, match=f"the data for '{bad_id}' does not validate"):
        run_diagnostic(institution_id=bad_id, panel_path=str(path), mc_draws=1000)
    assert run_diagnostic(institution_id=lines[1].split(",")[0], panel_path=str(path), mc_draws=1000).peer_count > 0


def test_real_world_spellings_are_read_as_meant():
    """A typeset minus sign is a minus; "2023年" is the period 2023."""
    from analysis_lib.intake.panel import validate_panel_file

    corpus = Path(__file__).parents[1] / "data" / "malformed"
    minus = validate_panel_file(corpus / "unicode_minus_ok.csv").panel.data
    assert minus.loc[1, "nps"] == -12.0
    periods = validate_panel_file(corpus / "period_year_suffix.csv").panel.data
    assert list(periods["period"]) == ["2024", "2024", "2023"]
    formulas = validate_panel_file(corpus / "xlsx_formula_column.xlsx")
    assert [p.code for p in formulas.errors] == ["uncalculated_formula"] * 3
    header = validate_panel_file(corpus / "title_row_ok.csv")
    assert header.header_row == 3 and list(header.panel.data["source_row"]) == [4, 5, 6]
