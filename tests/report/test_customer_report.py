"""The customer-analytics section rendered from three differently laid-out
extracts with ``-p customer_mapping``: mapping proposed and validated with
the command line, report written (HTML, PDF, summary), no customer id or
name anywhere; a broken extract refused before any kernel starts."""

import json
import re
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from analysis_lib.cli import main
from analysis_lib.errors import ParameterError
from analysis_lib.report.parameters import validate_parameters

from conftest import shared_path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "customers"))
from synthetic_extracts import card_extract, chinese_bank_extract

LAYOUTS = {
    "public": ("CustomerId", ("Surname",), "en"),
    "chinese": ("客户编号", ("客户姓名",), "zh"),
    "card": ("CLIENTNUM", (), "en"),
    "card-zh": ("CLIENTNUM", (), "zh"),
}


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("customer_extracts")
    chinese, card = folder / "chinese.csv", folder / "card.csv"
    chinese_bank_extract(3000).to_csv(chinese, index=False)
    card_extract(3000).to_csv(card, index=False)
    return {"public": shared_path("datasets", "churn_modelling.csv"), "chinese": chinese, "card": card, "card-zh": card}, folder


def _word(text: str) -> re.Pattern:
    return re.compile(rf"(?<![\w]){re.escape(text)}(?![\w])")


def _secrets(path: Path, name: str) -> set[str]:
    raw = pd.read_csv(path, dtype=str)
    id_column, name_columns, _ = LAYOUTS[name]
    values = set(raw[id_column])
    for column in name_columns:
        values |= set(raw[column])
    return values


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_mapping_workflow_and_report(extracts, name, capsys):
    files, folder = extracts
    path = files[name]
    mapping = folder / f"{name}.mapping.yaml"
    assert main(["customers", "map", str(path), "--out", str(mapping)]) == 0
    assert main(["customers", "validate", str(path), "--mapping", str(mapping)]) == 0
    assert "0 error(s)" in capsys.readouterr().out
    out = folder / f"report-{name}"
    language = LAYOUTS[name][2]
    assert main(["report", "CITY-02", "--out", str(out), "-p", "customer_extract", str(path), "-p", "customer_mapping", str(mapping),
                 "-p", "mc_draws", "1000", "-p", "language", language]) == 0
    html = (out / "CITY-02.html").read_text(encoding="utf-8")
    reader = PdfReader(str(out / "CITY-02.pdf"))
    pages = [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]
    pdf = "\n".join(pages)
    summary = (out / "CITY-02.summary.json").read_text(encoding="utf-8")
    json.loads(summary)
    words = re.sub(r"<[^>]+>", "", html)  # the Chinese edition wraps terms in spans
    if language == "zh":
        assert "客户分析" in words and "流失预警模型" in words and "高价值、高风险" in words
    else:
        assert "Customer analytics" in html and "bootstrap interval" in html and "High value, high risk" in html
    assert "Raw churn" in words or "实际流失率" in words
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    section = re.search(r'<section class="report-section section-customers".*?</section>', html, re.S).group(0)
    rest = html.replace(section, "")
    secrets = _secrets(path, name)
    # a surname that is also a word of the report's fixed text (Cobb–Douglas, Black–Scholes) is not a leak
    # and so is one in the page chrome the printer repeats on every page ("Page 3 of 20"), or in the
    # stylesheet (Source Han Sans, JupyterLab Light); the customer section itself is checked word by word below
    fixed = {s for s in secrets if _word(s).search(rest) or all(_word(s).search(page) for page in pages)}
    assert len(fixed) <= 15, sorted(fixed)
    assert not [s for s in secrets if _word(s).search(section)], f"{name}: an id or a name in the customer section"
    for text, where in ((rest, "HTML"), (pdf, "PDF"), (summary, "summary")):
        leaked = [s for s in secrets - fixed if _word(s).search(text)]
        assert not leaked, f"{name}: {len(leaked)} ids or names in the {where}"


def test_card_report_says_which_drivers_disagree(extracts):
    files, folder = extracts
    html = (folder / "report-card" / "CITY-02.html").read_text(encoding="utf-8")
    assert "Transactions (12 months): churn is" in html and "cards book" in html
    assert "Tenure read in months (declared) and converted to years; amounts in CNY." in html


@pytest.mark.parametrize("name", ["chinese", "card-zh"])
def test_chinese_customer_section_has_no_english_words(extracts, name):
    """A card extract with English headers and levels reads in Chinese through
    the labels the proposed mapping carries; only AUC (explained) stays."""
    _, folder = extracts
    html = (folder / f"report-{name}" / "CITY-02.html").read_text(encoding="utf-8")
    html = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    section = re.search(r'<section class="report-section section-customers".*?</section>', html, re.S).group(0)
    text = re.sub(r"<[^>]+>", "", section)
    assert set(re.findall(r"[A-Za-z_]{2,}", text)) == {"AUC"}
    assert "曲线下面积，AUC" in text
    if name == "card-zh":
        assert "近12个月交易笔数" in text and "信用卡的利润模型" in text
    assert "在网时长" in text and "按客户总数放大" in text


def test_a_broken_extract_is_refused_before_a_kernel_starts(tmp_path):
    frame = card_extract(300)
    frame.loc[[4, 9], "Attrition_Flag"] = "Unknown"
    frame["Total_Trans_Ct"] = frame["Total_Trans_Ct"].astype(object)
    frame.loc[7, "Total_Trans_Ct"] = "n/a?"
    path = tmp_path / "card.csv"
    frame.to_csv(path, index=False)
    mapping = tmp_path / "card.yaml"
    mapping.write_text("tenure_unit: months\nbook_type: cards\ncolumns:\n  CLIENTNUM: {role: id}\n"
                       "  Attrition_Flag: {role: churned, values: {Attrited Customer: 1, Existing Customer: 0}}\n"
                       "  Total_Trans_Ct: {role: feature, type: numeric}\n", encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        validate_parameters({"customer_extract": str(path), "customer_mapping": str(mapping)})
    message = str(caught.value)
    assert "3 error(s)" in message
    assert "card.csv, row 6, column 'Attrition_Flag'" in message and "card.csv, row 11, column 'Attrition_Flag'" in message
    assert "card.csv, row 9, column 'Total_Trans_Ct': error: not a number" in message
    assert not any(str(v) in message for v in frame["CLIENTNUM"])
    with pytest.raises(ParameterError, match="'customer_mapping' is given without 'customer_extract'"):
        validate_parameters({"customer_mapping": str(mapping)})
    assert main(["customers", "validate", str(path), "--mapping", str(mapping)]) == 1


def test_a_batch_checks_the_customer_mapping_before_it_starts(tmp_path):
    from analysis_lib.batch.runner import run_batch

    from conftest import SAMPLE_PANEL

    frame = card_extract(300)
    frame.loc[0, "Attrition_Flag"] = "Unknown"
    path = tmp_path / "card.csv"
    frame.to_csv(path, index=False)
    mapping = tmp_path / "card.yaml"
    mapping.write_text("columns:\n  CLIENTNUM: {role: id}\n  Attrition_Flag: {role: churned}\n  Total_Trans_Ct: {role: feature}\n",
                       encoding="utf-8")
    with pytest.raises(ParameterError, match="row 2, column 'Attrition_Flag': error: churn flag is not one of the mapped values"):
        run_batch(SAMPLE_PANEL, institutions=["CITY-02"], formats=("html",), out=tmp_path / "runs", progress=False,
                  params={"customer_extract": str(path), "customer_mapping": str(mapping)})
    assert not (tmp_path / "runs").exists()
