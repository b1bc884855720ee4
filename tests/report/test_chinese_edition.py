"""The Chinese edition as a Chinese bank executive reads it: every word in
Chinese (acronyms from the glossary, explained on first use), one money unit
per table with header and values agreeing, real fonts in the PDF, and the
same numbers as the English edition."""

import re
import shutil
import subprocess
import unicodedata

import pandas as pd
import pytest
from pypdf import PdfReader

from analysis_lib.report.export import find_browser, render_report
from analysis_lib.report.fonts import PDF_FAMILIES
from analysis_lib.report.summary import read_summary
from analysis_lib.report.text import abbreviations, load_glossary, money_scale

from conftest import REPO, SAMPLE_PANEL

INSTITUTION = "RURAL-02"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Proper names of the software listed in the reproducibility appendix, and
# the technical stamps there (a time zone, a hash algorithm).
SOFTWARE = {"python", "Python", "crm", "diagnostic", "workbook", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "financial", "papermill",
            "nbconvert", "UTC", "SHA"}


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    if not find_browser():
        pytest.skip("Chromium is needed for the PDF (apt-get install chromium)")
    out = tmp_path_factory.mktemp("editions")
    zh = render_report(out / "zh", institution_id=INSTITUTION, mc_draws=2000, language="zh")
    en = render_report(out / "en", institution_id=INSTITUTION, mc_draws=2000, language="en", formats=("html",))
    return en, zh


@pytest.fixture(scope="module")
def with_customers(tmp_path_factory):
    if not find_browser():
        pytest.skip("Chromium is needed for the PDF (apt-get install chromium)")
    return render_report(tmp_path_factory.mktemp("customers"), institution_id="CITY-02", mc_draws=2000, language="zh",
                         customer_extract=str(REPO / "data/sample/customers.csv"),
                         customer_mapping=str(REPO / "data/sample/customers.mapping.yaml"))


def _pdf_text(path) -> str:
    return unicodedata.normalize("NFKC", "\n".join(page.extract_text() for page in PdfReader(str(path)).pages))


def _client_data() -> list[str]:
    """What comes from the client's own data and is shown as given: ids and the input file name."""
    panel = pd.read_csv(SAMPLE_PANEL)
    return sorted([*panel["institution_id"], SAMPLE_PANEL.name], key=len, reverse=True)


@pytest.mark.parametrize("report", ["editions", "with_customers"])
def test_no_latin_word_outside_the_accepted_acronyms(report, request):
    files = request.getfixturevalue(report)
    text = _pdf_text((files[1] if isinstance(files, tuple) else files).pdf)
    for item in _client_data():
        text = text.replace(item, " ")
    text = re.sub(r"\b[0-9a-f]{64}\b", " ", text)  # the input file's checksum
    allowed = set(abbreviations()) | SOFTWARE
    stray = sorted({w for w in LATIN_WORD.findall(text) if w not in allowed})
    assert not stray, f"English words in the Chinese report: {stray}"
    assert "CRM" in text and "DEA" in text  # the check reads real text


def test_every_acronym_is_explained_in_chinese_on_first_use(editions):
    text = re.sub(r"\s+", "", _pdf_text(editions[1].pdf))
    used = {a: text.index(a) for a in abbreviations() if re.search(rf"(?<![A-Za-z]){a}(?![A-Za-z])", text)}
    assert {"CRM", "DEA", "SFA", "OLS", "NPV", "IRR", "API", "CDP", "PERT"} <= set(used)
    for acronym, first in used.items():
        name = unicodedata.normalize("NFKC", abbreviations()[acronym])
        window = text[max(0, first - len(name) - 3): first + len(acronym) + len(name) + 3]
        assert name in window, f"{acronym} first used without its Chinese name ({name}): …{text[max(0, first - 20): first + 20]}…"


def test_glossary_has_both_languages_and_is_an_appendix(editions):
    glossary = load_glossary()
    assert {"peer_percentile", "rag", "customer_value", "extension", "cost_to_income", "dea_theta", "ols", "npv"} <= set(glossary.index)
    assert glossary.at["peer_percentile", "zh"] == "同业百分位" and glossary.at["extension", "zh"] == "开放扩展能力"
    assert "年末时点折现" in glossary.at["npv", "definition_zh"] and "第1年为项目启动后的首12个月" in glossary.at["npv", "definition_zh"]
    assert "end of its year" in glossary.at["npv", "definition_en"]  # the business case's timing
    flat = re.sub(r"\s+", "", _pdf_text(editions[1].pdf))
    assert "附录C:术语表" in flat
    for zh in glossary["zh"]:
        assert unicodedata.normalize("NFKC", zh).replace(" ", "") in flat, zh
    english = editions[0].html.read_text(encoding="utf-8")
    assert "Appendix C: Glossary" in english and glossary.at["dea_theta", "definition_en"][:40] in english


def test_chinese_terms_and_no_mixed_wording(editions):
    text = re.sub(r"\s+", "", _pdf_text(editions[1].pdf))
    for expected in ("同业百分位", "客户价值", "开放扩展能力", "红灯", "成本收入比", "普通最小二乘法（OLS）", "随机前沿分析（SFA）"):
        assert unicodedata.normalize("NFKC", expected) in text, expected
    assert "百万元" not in text  # the Chinese money units are 万元 and 亿元
    assert "SFA为成本前沿。" not in text and "灵活性价值0万元" not in text
    html = editions[1].html.read_text(encoding="utf-8")
    assert '<span class="term">战略性</span>' in html  # never split across lines
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<td class="rag rag-\w+">(.*?)</td>', html)]
    assert cells and set(cells) <= {"红灯", "黄灯", "绿灯", "无"}
    # counts in the measure word of what is counted, in the charts and the tables
    assert unicodedata.normalize("NFKC", "人均管户数（户，↑）") in text
    units = {row[1]: row[2] for head, rows in _tables(html) if head[:3] == ["维度", "指标", "单位"] for row in rows}
    assert units["人均管户数"] == "户" and units["在用CRM系统数量"] == "套" and units["万名客户投诉量"] == "件", units


def _tables(html: str) -> list[tuple[list[str], list[list[str]]]]:
    tables = []
    for body in re.findall(r'<table class="report-table[^"]*">(.*?)</table>', html, flags=re.S):
        head = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th>(.*?)</th>", body.split("</thead>")[0])]
        rows = [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
                for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[-1])]
        tables.append((head, rows))
    return tables


@pytest.mark.parametrize("language", ["zh", "en"])
def test_one_money_unit_per_table_and_label_agrees_with_values(editions, language):
    html = editions[1 if language == "zh" else 0].html.read_text(encoding="utf-8")
    units = ("万元", "亿元") if language == "zh" else ("CNY m", "CNY bn")
    money_tables = 0
    for head, rows in _tables(html):
        in_header = {u for u in units if any(u in h for h in head)}
        in_rows = {u for u in units if any(u in (row[0] if row else "") for row in rows)}
        assert len(in_header | in_rows) <= 1, f"mixed money units in one table: {head}"
        if in_header | in_rows:
            money_tables += 1
        # a value never carries a unit of its own next to a header that names one
        for row in rows:
            for cell in row[1:]:
                assert not any(cell.strip().endswith(u) for u in units), f"unit in a value cell {cell!r} of {head}"
        # the unit in a header is the one the magnitude calls for: the largest amount of the column, in that unit
        for k, h in enumerate(head):
            unit = next((u for u in units if u in h), None)
            amounts = [abs(float(c.rstrip(" *").replace(",", ""))) for c in (r[k] for r in rows if k < len(r))
                       if re.fullmatch(r"-?[\d,]+(\.\d+)? ?\*?", c.strip())]
            if unit is None or not amounts:
                continue
            largest = max(amounts) * {"万元": 1e4, "亿元": 1e8, "CNY m": 1e6, "CNY bn": 1e9}[unit]
            assert money_scale([largest], language).unit == unit, (h, max(amounts))
        # the same where the unit is in the row label (a table of key figures)
        labelled = [(next(u for u in units if u in row[0]), float(row[1].replace(",", ""))) for row in rows
                    if len(row) > 1 and any(u in row[0] for u in units) and re.fullmatch(r"-?[\d,]+(\.\d+)?", row[1].strip())]
        if labelled:
            unit = labelled[0][0]
            assert {u for u, _ in labelled} == {unit}, labelled
            largest = max(abs(v) for _, v in labelled) * {"万元": 1e4, "亿元": 1e8, "CNY m": 1e6, "CNY bn": 1e9}[unit]
            assert money_scale([largest], language).unit == unit, labelled
    assert money_tables >= 4


def test_money_scale_matches_the_values_it_labels():
    for language, small, large in (("zh", "万元", "亿元"), ("en", "CNY m", "CNY bn")):
        assert money_scale([3.0e7, 2.0e6], language).unit == small
        assert money_scale([3.0e10, 2.0e6], language).unit == large
        scale = money_scale([1.2345e9, 5e5], language)
        assert float(scale.number(1.2345e9).replace(",", "")) * scale.divisor == pytest.approx(1.2345e9, rel=1e-2)


def test_pdf_embeds_chinese_as_truetype_not_type3(editions):
    pdffonts = shutil.which("pdffonts")
    assert pdffonts, "pdffonts is needed (apt-get install poppler-utils)"
    listing = subprocess.run([pdffonts, str(editions[1].pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert listing, "the PDF lists no fonts"
    assert not [line for line in listing if "Type 3" in line], "\n".join(listing)
    chinese = [line for line in listing if any(f.replace(" ", "") in line for f in PDF_FAMILIES)]
    assert chinese and all("CID TrueType" in line for line in chinese), "\n".join(listing)


def test_both_editions_share_the_same_numbers(editions):
    en, zh = (read_summary(files.notebook) for files in editions)
    assert en and zh
    en.pop("language", None), zh.pop("language", None)
    assert en == zh


def test_data_quality_notes_of_a_client_file_are_in_chinese(tmp_path):
    from analysis_lib.report.diagnostic import run_diagnostic
    from analysis_lib.report.rendering import section_html

    panel = pd.read_csv(SAMPLE_PANEL, dtype=str, keep_default_na=False)
    row = panel.index[panel["institution_id"] == INSTITUTION][0]
    panel.loc[row, "crm_opex_ratio"] = f"{100 * float(panel.loc[row, 'crm_opex_ratio']):.2f}%"
    panel.loc[row, "nps"] = ""
    path = tmp_path / "client_panel.csv"
    panel.to_csv(path, index=False)
    diag = run_diagnostic(institution_id=INSTITUTION, panel_path=str(path), mc_draws=1000, language="zh")
    html = section_html(diag, "data_quality")
    text = re.sub(r"<[^>]+>", "", html).replace(path.name, "")
    assert f"第{row + 2}行，CRM运营成本占营收比：已按百分比" in text and "完整性97" in text, text
    stray = sorted({w for w in LATIN_WORD.findall(text) if w not in abbreviations()})
    assert not stray, stray


def test_sfa_without_significant_inefficiency_is_not_applicable_with_a_footnote_in_both_languages(editions):
    """On the sample panel the SFA finds no significant inefficiency (LR
    below the 5% critical value 2.706): both editions show n/a with the
    reason, never a score of 1.00, and keep the DEA scores."""
    from analysis_lib.benchmarking.frontier import frontier_efficiency
    from analysis_lib.intake.panel import load_panel

    attrs = frontier_efficiency(load_panel(SAMPLE_PANEL).latest().data).attrs
    assert attrs["sfa_inefficiency_significant"] is False
    lr = f"{max(attrs['sfa_lr_statistic'], 0.0):.2f}"
    for edition, label, score, reason, statistic in (
            (editions[0], "SFA cost efficiency", "n/a*", "SFA cannot separate inefficiency from noise for this peer set", f"LR = {lr}"),
            (editions[1], "SFA成本效率", "不适用*", "对本同业样本，SFA无法区分无效率与随机误差", f"似然比统计量{lr}")):
        html = edition.html.read_text(encoding="utf-8")
        section = re.sub(r"</?span[^>]*>", "", html[html.index('id="frontier"'):html.index('id="expectations"')])
        assert f"<td>{label}</td><td>{score}</td>" in section
        assert f"<td>{label}</td><td>1.00</td>" not in section
        footnote = re.search(r'<p class="footnote">([^<]*)</p>', section)
        assert footnote and reason in footnote.group(1) and statistic in footnote.group(1)
        assert re.search(r"<td>DEA[^<]*</td><td>0\.\d\d</td>", section)  # DEA keeps its score


TERMS = {
    "business case": ("商业论证", r"投资效益|商业案例"),
    "pilot first": ("先行试点", r"试点先行|试点期权"),
    "value at stake": ("价值空间", r"差距价值"),
    "payback period": ("投资回收期", r"(?<!投资)回收期"),
    "relationship manager": ("客户经理", r"理财经理"),
    "mass-market customer": ("大众客户", r"普通客户"),
}
"""Concept → (the one Chinese term, the other renderings it replaced)."""


def test_chinese_report_uses_one_term_per_concept(editions):
    html = re.sub(r"</?span[^>]*>", "", editions[1].html.read_text(encoding="utf-8"))
    for concept, (_, others) in TERMS.items():
        assert not re.search(others, html), (concept, re.findall(others, html)[:3])
    for concept in ("business case", "pilot first", "value at stake", "payback period"):
        assert TERMS[concept][0] in html, concept
    assert "<h2>商业论证</h2>" in html


def test_product_text_renders_each_concept_one_way():
    """The word tables, data files and notebooks the Chinese edition, deck and
    data pack are written from never use the replaced renderings."""
    files = [*(REPO / "analysis_lib").rglob("*.py"), *(REPO / "data").glob("*.csv"), *(REPO / "notebooks").glob("*.ipynb"),
             REPO / "README.md"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.name == "metrics.csv":  # former labels stay accepted as client headers
            text = pd.read_csv(path, dtype=str).drop(columns="aliases").to_csv(index=False)
        for concept, (_, others) in TERMS.items():
            assert not re.search(others, text), (path.name, concept, re.findall(others, text)[:3])
