"""The client report end to end: papermill execution in both languages, HTML
and PDF checks, parameters, findings."""

import json
import re
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from analysis_lib.errors import ParameterError
from analysis_lib.intake.panel import file_sha256
from analysis_lib.report.diagnostic import run_diagnostic
from analysis_lib.report.export import NOTEBOOK, find_browser, render_report
from analysis_lib.report.narrative import findings
from analysis_lib.report.parameters import parameters_cell_source, validate_parameters
from analysis_lib.report.text import SECTIONS

from conftest import REPO, SAMPLE_PANEL

EN_TITLES = [SECTIONS[k]["en"] for k in ("executive_summary", "scorecard", "positioning", "frontier", "gaps", "business_case", "roadmap",
                                         "risk", "customers", "methodology", "reproducibility")]
ZH_TITLES = [SECTIONS[k]["zh"] for k in ("executive_summary", "scorecard", "gaps", "business_case", "roadmap", "methodology")]
FORBIDDEN = ("Traceback", "Warning", "In [", "Out[", "import ", "def ", "run_diagnostic(", "show(diag")


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    assert find_browser(), "Chromium is needed for the PDF tests (apt-get install chromium)"
    out = tmp_path_factory.mktemp("reports")
    en = render_report(out / "en", institution_id="CITY-02", mc_draws=2000, customer_extract=str(REPO / "data/sample/customers.csv"),
                       customer_mapping=str(REPO / "data/sample/customers.mapping.yaml"))
    zh = render_report(out / "zh", institution_id="RURAL-02", mc_draws=2000, language="zh")
    return en, zh


def _pdf_text(path: Path) -> tuple[int, str]:
    import unicodedata

    reader = PdfReader(str(path))
    return len(reader.pages), unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in reader.pages))


def test_english_html_is_clean_and_self_contained(reports):
    html = reports[0].html.read_text(encoding="utf-8")
    for bad in FORBIDDEN:
        assert bad not in html, bad
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert str(REPO) not in html and "data/sample" not in html and "/tmp" not in html
    assert "injected-parameters" not in html
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/svg\+xml;base64,', html)) >= 11
    for title in EN_TITLES:
        assert title in html
    assert file_sha256(SAMPLE_PANEL) in html  # reproducibility stamp matches the input
    assert re.search(r"<th>[Ss]eed</th><td><code>2026</code>", html)  # the run's parameters, labelled
    assert "{&quot;" not in html and '{"' not in html.split("</style>")[-1]  # no raw JSON in the client's appendix


def test_english_pdf_has_pages_titles_and_no_code(reports):
    pages, text = _pdf_text(reports[0].pdf)
    assert pages >= 10
    flat = re.sub(r"\s+", " ", text)
    for title in EN_TITLES:
        assert title in flat, title
    for bad in ("Traceback", "Warning", "In [", "import "):
        assert bad not in flat
    assert "Confidential" in flat and f"Page 1 of {pages}" in flat and "CITY-02" in flat


def test_pdf_charts_are_vector_with_selectable_text(reports):
    for files, legend in zip(reports, ("Other tasks", "其他任务")):  # the Gantt chart's legend, in no table
        reader = PdfReader(str(files.pdf))
        assert not [i for i, page in enumerate(reader.pages) if page.images], "a chart was embedded as a raster image"
        _, text = _pdf_text(files.pdf)
        assert legend in re.sub(r"\s+", " ", text)


def test_chinese_report_has_chinese_titles(reports):
    html = reports[1].html.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for title in ZH_TITLES:
        assert title in html
    pages, text = _pdf_text(reports[1].pdf)
    flat = re.sub(r"\s+", "", text)
    assert pages >= 8
    import unicodedata

    for title in ZH_TITLES:
        assert unicodedata.normalize("NFKC", title) in flat, title
    assert "保密" in flat and "Traceback" not in flat


def test_executed_notebook_is_internal_and_keeps_papermill_metadata(reports):
    notebook = reports[0].notebook
    assert notebook.parent.name == "internal"
    nb = nbformat.read(str(notebook), as_version=4)
    assert nb.metadata["papermill"]["parameters"]["institution_id"] == "CITY-02"
    assert not list(notebook.parent.parent.glob(".*.partial*"))


def test_notebook_is_thin_and_mirrors_the_schema():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and code[0] is params[0]
    assert params[0].source == parameters_cell_source()
    for cell in code:
        assert not re.search(r"^\s*(def|class)\s", cell.source, re.M)
        assert not cell.get("outputs")


def test_parameters_are_checked_before_a_kernel_starts(capsys):
    from analysis_lib.cli import main

    with pytest.raises(ParameterError, match="did you mean 'language'"):
        validate_parameters({"langauge": "zh"})
    with pytest.raises(ParameterError, match="'horizon_years': 'five' is not a whole number"):
        validate_parameters({"horizon_years": "five"})
    with pytest.raises(ParameterError, match="outside"):
        validate_parameters({"discount_rate": 3.0})
    with pytest.raises(ParameterError, match="not one of"):
        validate_parameters({"language": "fr"})
    with pytest.raises(ParameterError, match="'peer_group': 'credit_union' is not one of"):
        validate_parameters({"peer_group": "credit_union"})
    with pytest.raises(ParameterError, match="file not found"):
        validate_parameters({"panel_path": "nope.csv"})
    with pytest.raises(ParameterError, match="'institution_id': '=1\\+1' contains \"=\"; ids are 1-64 characters"):
        validate_parameters({"institution_id": "=1+1"})
    assert validate_parameters({"horizon_years": "7", "discount_rate": "0.1"})["horizon_years"] == 7
    assert main(["report", "CITY-02", "-p", "langauge", "zh"]) == 2
    assert "unknown parameter 'langauge'" in capsys.readouterr().err


def test_weak_and_strong_institutions_get_different_correct_findings():
    weak = run_diagnostic(institution_id="CITY-02", mc_draws=2000)
    strong = run_diagnostic(institution_id="JSB-01", mc_draws=2000)
    weak_f = {f.kind: f.values for f in findings(weak)}
    strong_f = {f.kind: f.values for f in findings(strong)}
    assert weak_f["overall_position"]["score"] < 25 < 75 < strong_f["overall_position"]["score"]
    assert "weaknesses" in weak_f and "strengths" in strong_f
    assert weak_f["business_case"]["npv"] > 0 and 0.5 < weak_f["business_case"]["prob_positive"] < 0.99
    assert weak_f["business_case"]["recommended"] and not strong_f["business_case"]["recommended"]
    share = {d.institution_id: f["value_at_stake"]["total"] / float(d.institution["revenue"])
             for d, f in ((weak, weak_f), (strong, strong_f))}
    assert share["CITY-02"] > 10 * share["JSB-01"]  # relative to revenue: the strong bank is many times larger
    assert weak_f["frontier"]["theta"] < strong_f["frontier"]["theta"]
    assert 3 <= len(findings(weak)) <= 5


def test_small_peer_group_says_insufficient_peers_and_uses_all_banks():
    diag = run_diagnostic(institution_id="FRGN-02", mc_draws=2000)
    refs = set(diag.scorecard()["reference"])
    assert refs == {"baseline:all_banks"}
    overall = next(f for f in findings(diag) if f.kind == "overall_position")
    assert overall.values["insufficient_peers"]
    from analysis_lib.report.rendering import section_html

    assert "insufficient peers" in section_html(diag, "scorecard")


@pytest.mark.parametrize("language, unit_header, expected", [
    ("en", "Unit", {"Number of CRM systems in use": "count", "Customer satisfaction": "score (0–100)",
                    "Net Promoter Score": "score (−100 to 100)", "Products per customer": "count", "Customer response time": "hours"}),
    ("zh", "单位", {"在用CRM系统数量": "套", "客户满意度": "分（0–100）", "净推荐值": "分（−100至100）", "户均持有产品数": "个",
                   "人均管户数": "户", "万名客户投诉量": "件", "客户响应时间": "小时"}),
])
def test_every_metric_of_the_scorecard_shows_its_unit(language, unit_header, expected):
    """Counts and scores have a unit too: no blank cell in the scorecard's unit column."""
    from analysis_lib.reference.catalog import load_catalog
    from analysis_lib.report.deck import section_text
    from analysis_lib.report.rendering import section_html

    diag = run_diagnostic(institution_id="CITY-02", mc_draws=1000, language=language)
    table = section_text(section_html(diag, "scorecard")).tables[1]
    unit = table["header"].index(unit_header)
    metric = table["header"].index("指标" if language == "zh" else "Metric")
    units = {row[metric]: row[unit] for row in table["rows"]}
    assert len(units) == 29 and all(units.values())
    assert {k: units[k] for k in expected} == expected
    catalog = load_catalog()
    assert units == {catalog.label(m, language): catalog.unit_label(m, language) for m in catalog.ids}


def test_summary_is_json_ready():
    diag = run_diagnostic(institution_id="CITY-01", mc_draws=2000)
    summary = json.loads(json.dumps(diag.summary()))
    assert summary["institution_id"] == "CITY-01" and 0 <= summary["score_overall"] <= 100


def test_without_a_browser_the_html_is_written_and_the_message_says_how(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_DIAG_CHROMIUM", str(tmp_path / "no-such-browser"))
    files = render_report(tmp_path, institution_id="CITY-01", mc_draws=1000)
    assert files.html.is_file() and files.pdf is None
    assert "apt-get install chromium" in files.message


def test_committed_notebooks_are_what_the_builder_writes():
    from analysis_lib.report.notebook_builder import NOTEBOOK_DIR, NOTEBOOKS

    for name, build in NOTEBOOKS.items():
        committed = nbformat.read(str(NOTEBOOK_DIR / name), as_version=4)
        expected = build()
        assert [(c.cell_type, c.source, c.metadata.get("tags")) for c in committed.cells] == \
            [(c.cell_type, c.source, c.metadata.get("tags")) for c in expected.cells], f"run `make notebooks` ({name})"


def test_a_single_report_writes_the_same_summary_as_a_batch(reports):
    from analysis_lib.report.summary import read_summary

    for files in reports:
        assert files.summary.name == f"{files.notebook.stem}.summary.json" and files.summary.parent == files.html.parent
        written = json.loads(files.summary.read_text(encoding="utf-8"))
        assert written == read_summary(files.notebook)
        assert written["institution_id"] == files.notebook.stem and written["npv"] is not None


@pytest.mark.parametrize("language, words", [("en", "turns negative again"), ("zh", "再度为负")])
def test_unconventional_payback_is_said_not_hidden(language, words):
    import dataclasses
    import math

    from analysis_lib.report.narrative import render
    from analysis_lib.report.rendering import section_html
    from analysis_lib.roi.finance import payback_result

    diag = run_diagnostic(institution_id="CITY-02", mc_draws=2000, language=language)
    note = payback_result([-100, 150, -200, 10]).reason
    case = dataclasses.replace(diag.case, payback_years=math.nan, discounted_payback_years=math.nan, payback_note=note)
    diag = dataclasses.replace(diag, case=case)
    assert words in section_html(diag, "business_case")
    finding = next(f for f in findings(diag) if f.kind == "business_case")
    assert words in render(finding, language, "CITY-02")


def test_client_html_is_what_nbconvert_writes_without_its_final_pass(reports):
    """The client exporter skips nbconvert's BeautifulSoup pass (alt text for
    images without any, keyboard stops on outputs): the page must be the
    same once that pass is applied, and need none of it."""
    import copy

    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from analysis_lib.report.export import TEMPLATE_DIR, client_html_exporter, client_preprocessors

    for files in reports:
        executed = nbformat.read(str(files.notebook), as_version=4)
        ours, _ = client_html_exporter().from_notebook_node(copy.deepcopy(executed))
        stock = HTMLExporter(template_name="crm_report", extra_template_basedirs=[str(TEMPLATE_DIR)], exclude_input=True,
                             exclude_input_prompt=True, exclude_output_prompt=True)
        for preprocessor in client_preprocessors():
            stock.register_preprocessor(preprocessor, enabled=True)
        theirs, _ = stock.from_notebook_node(copy.deepcopy(executed))
        assert "img" in ours and not BeautifulSoup(ours, "html.parser").select("img:not([alt])")
        assert str(BeautifulSoup(ours, "html.parser")) == theirs.replace(' tabindex="0"', "")


def test_the_printer_lays_reports_out_for_print_only_and_prints_what_the_screen_tab_would(tmp_path):
    """The printing tab emulates print media, so a report is laid out once
    (not for the screen on loading, then again for print); the pages are
    the same as a screen tab prints them."""
    from analysis_lib.report.export import PdfPrinter

    page = tmp_path / "r.html"
    page.write_text("<html><head><style>@media screen { p { font-size: 40px } } h1 { break-before: page }</style></head><body>"
                    + "".join(f"<h1>Part {i}</h1><p>{'Text of the report. ' * 80}</p>" for i in range(3)) + "</body></html>",
                    encoding="utf-8")
    with PdfPrinter() as printer:
        printer.print(page, tmp_path / "print.pdf", "X")
        assert printer._page.evaluate("matchMedia('print').matches")
        printer._page.emulate_media(media="no-override")  # as a tab without emulation, which loads a page for the screen
        printer.print(page, tmp_path / "screen.pdf", "X")
    texts = [[p.extract_text() for p in PdfReader(str(tmp_path / f"{n}.pdf")).pages] for n in ("print", "screen")]
    assert texts[0] == texts[1] and len(texts[0]) == 3
