"""The progress review end to end: papermill execution in English and
Chinese, HTML and PDF with no code or traceback, and the CLI."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from analysis_lib.cli import main
from analysis_lib.report.export import find_browser
from analysis_lib.report.review_export import render_review
from analysis_lib.report.review_sections import REVIEW_SECTIONS, TITLES, review_section_html
from analysis_lib.review.progress import run_review

from conftest import REPO

FORBIDDEN = ("Traceback", "Warning", "In [", "Out[", "import ", "def ", "run_review(", "show_review(", "InputDataError", "Exception")
SUMMARY = REPO / "data/sample/review/CITY-02.summary.json"
ACTUALS = REPO / "data/sample/review/CITY-02.actuals.csv"


@pytest.fixture(scope="module")
def reviews(tmp_path_factory):
    assert find_browser(), "Chromium is needed for the PDF tests (apt-get install chromium)"
    out = tmp_path_factory.mktemp("reviews")
    return {language: render_review(out, institution_id="CITY-02", language=language) for language in ("en", "zh")}


RADICALS = str.maketrans("⻛⻚⻓⻩⻅⻋⻔⻜⻢⻥⻬⻰⻆⻝⻄⻘⻨", "风页长黄见车门飞马鱼齐龙角食西青麦")
"""Text extraction returns some characters of the CJK font as radicals (not
folded by NFKC)."""


def _pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(str(path))
    text = unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages)).translate(RADICALS)
    return len(reader.pages), re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_review_pdf_has_every_section_and_no_code(reviews, language):
    files = reviews[language]
    pages, text = _pdf_text(files.pdf)
    assert pages >= 7
    for key in REVIEW_SECTIONS:
        assert re.sub(r"\s+", "", unicodedata.normalize("NFKC", TITLES[key][language])) in text.replace(" ", ""), key
    for bad in FORBIDDEN:
        assert bad not in text, bad
    html = files.html.read_text(encoding="utf-8")
    for bad in FORBIDDEN:
        assert bad not in html, bad
    assert "data/sample" not in html and str(REPO) not in html and "<script" not in html
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/svg\+xml;base64,', html)) == 4
    assert ("Page 1 of" if language == "en" else "第 1 页") in text and "CITY-02" in text


def test_review_summary_json_and_findings(reviews):
    summary = json.loads(reviews["en"].summary.read_text(encoding="utf-8"))
    assert summary["institution_id"] == "CITY-02" and summary["review_period"] == "2025"
    assert summary["benefit_realisation"] == pytest.approx(0.75, abs=0.005)
    assert summary["score_overall_review"] > summary["score_overall_baseline"]
    assert reviews["zh"].pdf.name == "CITY-02.review-2025.zh.pdf"
    text = review_section_html(run_review(), "summary")
    assert "75% of plan (behind)" in text and "Cost deviation is beyond the ±8% control limit" in text


def test_review_without_actuals_says_so():
    review = run_review(actuals_path="", language="zh")
    assert review.benefits is None
    assert "未提供项目实际数据文件" in review_section_html(review, "benefits")
    assert "已实现收益" not in review_section_html(review, "summary")


def test_cli_review_refuses_bad_actuals_in_one_line(tmp_path, capsys):
    bad = tmp_path / "actuals.csv"
    bad.write_text("period,type,id,amount\n2025Q1,benefit,teleport,100\n", encoding="utf-8")
    code = main(["review", "CITY-02", "--baseline", "2024", "--period", "2025", "--summary", str(SUMMARY), "--actuals", str(bad),
                 "--out", str(tmp_path / "out"), "--formats", "html"])
    err = capsys.readouterr().err
    assert code == 2
    assert "actuals.csv, row 2, column 'id': initiative 'teleport' is not in the business case" in err
    assert "Traceback" not in err


def test_cli_review_refuses_a_period_not_in_the_panel(tmp_path, capsys):
    code = main(["review", "CITY-02", "--baseline", "2024", "--period", "2027", "--summary", str(SUMMARY), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "review period '2027' is not in the panel; its periods are 2021, 2022, 2023, 2024, 2025" in err


def test_batch_of_progress_reviews(tmp_path, capsys):
    args = ["batch", "--panel", str(REPO / "data/sample/institutions_history.csv"), "--review",
            "-p", "baseline_period", "2024", "-p", "review_period", "2025",
            "-p", "diagnosis_summary", str(REPO / "data/sample/review/{institution_id}.summary.json"),
            "-p", "actuals_path", str(REPO / "data/sample/review/{institution_id}.actuals.csv"),
            "--out", str(tmp_path), "--run-id", "reviews", "--formats", "html", "--workers", "1", "--quiet"]
    assert main([*args, "--institutions", "CITY-02", "CITY-04"]) == 2
    assert "CITY-04: parameter 'diagnosis_summary': file not found" in capsys.readouterr().err
    assert main([*args, "--institutions", "CITY-02"]) == 0
    folder = tmp_path / "reviews" / "CITY-02"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["review_period"] == "2025" and summary["benefit_realisation"] == pytest.approx(0.75, abs=0.005)
    html = (folder / "CITY-02.html").read_text(encoding="utf-8")
    assert "CRM programme progress review" in html and "Traceback" not in html


def test_review_notebook_is_thin():
    import nbformat

    nb = nbformat.read(str(REPO / "notebooks/progress_review.ipynb"), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == ["parameters"]
    assert all("def " not in c.source and "lambda" not in c.source for c in code)
    shown = [c.source for c in code if "internal" not in c.metadata.get("tags", []) and "parameters" not in c.metadata.get("tags", [])]
    assert shown == [f'show_review(review, "{key}")' for key in REVIEW_SECTIONS]
