"""The deck and the data pack of one report: written by ``crm-diag report
--formats html,pptx,xlsx`` from the same run as the HTML report and
``summary.json``, opened with python-pptx and openpyxl/pandas and compared
with both."""

import html as html_lib
import json
import re

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu

from analysis_lib.cli import main
from analysis_lib.errors import ParameterError
from analysis_lib.report.datapack import BUILDERS, DataTable, workbook_bytes
from analysis_lib.report.deck import CJK_FONT, DECK_DPI, check_template, continued, deck_payload, first_sentence, key_tables, section_text, write_deck
from analysis_lib.report.diagnostic import run_diagnostic

NOTES = "## executive_summary\nBranch heads confirm: no shared customer record.\n\n## gaps\n- Retention: no early-warning list.\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """CITY-02's report, deck and data pack from one run, with commentary."""
    out = tmp_path_factory.mktemp("report")
    notes = out / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    code = main(["report", "CITY-02", "--formats", "html,pptx,xlsx", "--out", str(out), "-p", "mc_draws", "2000",
                 "-p", "commentary", str(notes)])
    assert code == 0
    html = (out / "CITY-02.html").read_text(encoding="utf-8")
    sections = dict(re.findall(r'<section class="report-section section-(\w+)" id="\w+">(.*?)</section>', html, re.S))
    return {"out": out, "html": html, "sections": sections, "summary": json.loads((out / "CITY-02.summary.json").read_text(encoding="utf-8")),
            "deck": Presentation(str(out / "CITY-02.pptx")), "xlsx": out / "CITY-02.xlsx"}


def _texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def _by_section(deck, language: str = "en") -> list[list]:
    """The section slides of a deck, grouped: each section's slide followed by its continuation slides."""
    groups: list[list] = []
    for slide in list(deck.slides)[1:]:
        title = slide.shapes.title.text_frame.text
        if groups and title == continued(groups[-1][0].shapes.title.text_frame.text, language):
            groups[-1].append(slide)
        else:
            groups.append([slide])
    return groups


def _html_text(fragment: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


# ------------------------------------------------------------------ the deck


def test_the_deck_is_16_9_with_a_title_slide_and_one_slide_per_section(run):
    deck, sections = run["deck"], run["sections"]
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, abs=0.01)
    shown = [key for key in sections if key != "cover"]
    assert len(_by_section(deck)) == len(shown)
    assert len(deck.slides) <= 1 + len(shown) + 10  # continuation slides for long and wide tables, not one per row
    assert "customers" not in shown  # no customer extract: no section, no slide
    title = deck.slides[0].shapes.title.text_frame.text
    assert title == "CRM Cost and Efficiency Diagnostic"
    assert "CITY-02" in " ".join(_texts(deck.slides[0])) and "Confidential" in " ".join(_texts(deck.slides[0]))


def test_slide_titles_are_the_sections_action_titles(run):
    """The report's action title under each heading is the slide's title;
    the executive summary's is the recommendation; the appendices keep their heading."""
    deck, sections = run["deck"], run["sections"]
    shown = [key for key in sections if key != "cover"]
    headline = _html_text(re.search(r'<p class="verdict-headline">(.*?)</p>', sections["executive_summary"]).group(1))
    with_action_title = 0
    for (slide, *_), key in zip(_by_section(deck), shown):
        action = re.search(r'<p class="action-title">(.*?)</p>', sections[key])
        with_action_title += bool(action)
        expected = first_sentence(headline) if key == "executive_summary" else _html_text(action.group(1)) if action else \
            _html_text(re.search(r"<h2>(.*?)</h2>", sections[key]).group(1))
        assert slide.shapes.title.text_frame.text == expected, key
        if action:  # the section's name stays above the title
            assert _html_text(re.search(r"<h2>(.*?)</h2>", sections[key]).group(1)) in _texts(slide)
    assert with_action_title >= 12


def test_every_chart_of_the_report_is_on_its_slide_in_high_resolution(run):
    deck, sections = run["deck"], run["sections"]
    shown = [key for key in sections if key != "cover"]
    charts = 0
    for (slide, *more), key in zip(_by_section(deck), shown):
        assert not [shape for s in more for shape in s.shapes if shape.shape_type == 13]  # continuation slides carry tables only
        pictures = [shape for shape in slide.shapes if shape.shape_type == 13]  # PICTURE
        assert len(pictures) == sections[key].count('<figure class="chart">'), key
        for picture in pictures:
            # the report's figure at slide resolution (the narrowest, the radar, is drawn 4.5 in wide)
            assert picture.image.dpi == (DECK_DPI, DECK_DPI) and picture.image.size[0] >= 4.5 * DECK_DPI
        charts += len(pictures)
    assert charts == run["html"].count('<figure class="chart">') >= 10


def test_footer_has_the_source_line_and_the_page_number(run):
    for page, slide in enumerate(list(run["deck"].slides)[1:], start=2):
        texts = _texts(slide)
        assert any(t.startswith("Source: ") for t in texts)
        assert any(t.endswith(f"CITY-02 · Confidential · {page}") for t in texts)
        source = next(t for t in texts if t.startswith("Source: "))
        assert "data/" not in source and ".csv" not in source  # the report's words, never a file path
    html = run["html"]
    # the business-case slides carry the words of the source line under the report's business-case charts
    case = re.search(r'<figcaption class="chart-source">Source: ([^<]*business-case model[^<]*)</figcaption>', html)
    assert case and any(html_lib.unescape(case.group(1)) in t for s in run["deck"].slides for t in _texts(s))


def test_key_table_has_the_reports_numbers(run):
    deck, sections, summary = run["deck"], run["sections"], run["summary"]
    shown = [key for key in sections if key != "cover"]
    slides = _by_section(deck)[shown.index("business_case")]
    # the key figures (base NPV, simulated median and P10/P90 beside IRR, paybacks ...): beside the chart or on the next slide
    tables = [shape.table for slide in slides for shape in slide.shapes if shape.has_table
              and any(shape.table.cell(r, 0).text == "IRR (%)" for r in range(len(shape.table.rows)))]
    assert len(tables) == 1
    cells = {tables[0].cell(r, 0).text: tables[0].cell(r, 1).text for r in range(len(tables[0].rows))}
    assert cells["NPV, base case (CNY m)"] == f"{summary['npv'] / 1e6:,.1f}"
    assert cells["NPV, simulated median (P50) (CNY m)"] == f"{summary['npv_p50'] / 1e6:,.1f}"
    assert cells["NPV, simulated P10 / P90 (CNY m)"] == f"{summary['npv_p10'] / 1e6:,.1f} / {summary['npv_p90'] / 1e6:,.1f}"
    report_rows = dict(re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", sections["business_case"]))
    assert cells["IRR (%)"] == report_rows["IRR (%)"] == f"{100 * summary['irr']:.0f}"  # as the report prints it


def _cell_text(cell) -> str:
    return cell.text_frame.text


def _pieces_of_tables(slides, sources: list[dict]) -> list[int]:
    """Check that the tables on a section's slides are its source tables cut
    into pieces: every row and every column exactly once, in order (the
    first column, the row labels, on each piece; the header row repeated
    on each); returns the number of pieces of each source table."""
    shapes = [shape for slide in slides for shape in slide.shapes if shape.has_table]
    counts = []
    for source in sources:
        header = source["header"] if any(source["header"]) else []
        rows = source["rows"]
        n_cols = max([len(header), *(len(r) for r in rows)])
        header = [*header, *[""] * (n_cols - len(header))] if header else []
        rows = [[*r, *[""] * (n_cols - len(r))] for r in rows]
        seen = [[0] * n_cols for _ in rows]
        next_column, next_row, pieces = 1, 0, 0
        while next_column < max(n_cols, 2) and shapes:
            grid = shapes.pop(0).table
            width = len(grid.columns)
            columns = [0, *range(next_column, next_column + width - 1)]
            cells = [[_cell_text(grid.cell(r, c)) for c in range(width)] for r in range(len(grid.rows))]
            if header:
                assert cells.pop(0) == [header[c] for c in columns]  # the header row on every piece
            assert 2 <= len(cells) or len(rows) < 2  # never a lone row
            for offset, row in enumerate(cells):
                assert row == [rows[next_row + offset][c] for c in columns]
                for c in columns:
                    seen[next_row + offset][c] += 1
            next_row += len(cells)
            pieces += 1
            if next_row == len(rows):
                next_column, next_row = next_column + max(width - 1, 1), 0
        assert pieces >= 1 and all(count == 1 for row in seen for count in row[1:]), "a column or row missing or shown twice"
        assert all(row[0] == seen[0][0] >= 1 for row in seen)  # the row labels once on each column group's slides
        counts.append(pieces)
    assert not shapes  # no table on the slides that is not one of the section's
    return counts


def _table_geometry(deck) -> int:
    """Every table within the slide: its rows end above the footer (the body's
    bottom margin), its columns within the side margins, text 9 pt or more;
    returns the number of tables checked."""
    width, height = deck.slide_width, deck.slide_height
    checked = 0
    for slide in deck.slides:
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            grid = shape.table
            rows = sum(row.height for row in grid.rows)
            assert shape.height == rows
            assert shape.top + rows <= height - Emu(int(0.7 * 914400)), slide.shapes.title.text_frame.text
            assert shape.left + sum(column.width for column in grid.columns) <= width - Emu(int(0.5 * 914400)) + 10
            sizes = {run_.font.size.pt for row in grid.rows for cell in row.cells for p in cell.text_frame.paragraphs for run_ in p.runs}
            assert min(sizes) >= 9
            checked += 1
    return checked


def test_long_and_wide_tables_continue_on_further_slides_whole(run):
    """No table is truncated: every row and column of each of a section's
    tables is on its slides once; a long one continues on slides titled
    "… (cont.)", a wide one keeps its row labels on each."""
    deck, sections = run["deck"], run["sections"]
    shown = [key for key in sections if key != "cover"]
    pieces = {}
    for slides, key in zip(_by_section(deck), shown):
        sources = key_tables(key, section_text(sections[key]).tables)
        pieces[key] = _pieces_of_tables(slides, sources)
        for slide in slides[1:]:
            assert slide.shapes.title.text_frame.text == continued(slides[0].shapes.title.text_frame.text, "en") == \
                slides[0].shapes.title.text_frame.text + " (cont.)"
    assert len(section_text(sections["scorecard"]).tables[1]["rows"]) == 29
    assert pieces["scorecard"][0] == 1 and 2 <= pieces["scorecard"][1] <= 3  # the six scores beside the radar; the 29 metrics on 2-3 slides
    assert len(section_text(sections["glossary"]).tables[0]["rows"]) > 30 and 2 <= pieces["glossary"][0] <= 3
    assert len(section_text(sections["kpi_tracking"]).tables[0]["header"]) == 10 and pieces["kpi_tracking"][0] >= 2
    assert _table_geometry(deck) == sum(sum(p) for p in pieces.values())


def test_commentary_is_on_its_slides_marked_as_the_consultants(run):
    deck, sections = run["deck"], run["sections"]
    shown = [key for key in sections if key != "cover"]
    for key, words in (("executive_summary", "no shared customer record"), ("gaps", "• Retention: no early-warning list.")):
        text = "\n".join(_texts(_by_section(deck)[shown.index(key)][0]))
        assert "Consultant's commentary" in text and words in text
    assert "Consultant's commentary" not in "\n".join(_texts(_by_section(deck)[shown.index("risk")][0]))
    assert run["html"].count('<aside class="commentary">') == 2


@pytest.fixture(scope="module")
def chinese_payload():
    return deck_payload(run_diagnostic(institution_id="RURAL-02", language="zh", mc_draws=1000))


def test_chinese_text_is_set_in_a_cjk_font(chinese_payload, tmp_path):
    deck = Presentation(str(write_deck(chinese_payload, tmp_path / "zh.pptx")))
    chinese = 0
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else \
                [c.text_frame for row in shape.table.rows for c in row.cells] if shape.has_table else []
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run_ in paragraph.runs:
                        if re.search("[\u4e00-\u9fff]", run_.text):
                            chinese += 1
                            r_pr = run_._r.find(qn("a:rPr"))
                            assert r_pr.find(qn("a:ea")).get("typeface") == CJK_FONT, run_.text
                            assert r_pr.get("lang") == "zh-CN"
    assert chinese > 100
    assert deck.slides[1].shapes.title.text_frame.text.endswith("。")


def test_chinese_tables_continue_whole_within_the_slide(chinese_payload, tmp_path):
    deck = Presentation(str(write_deck(chinese_payload, tmp_path / "zh.pptx")))
    groups = _by_section(deck, "zh")
    assert len(groups) == len(chinese_payload["slides"])
    pieces = 0
    for slides, data in zip(groups, chinese_payload["slides"]):
        pieces += sum(_pieces_of_tables(slides, data["tables"]))
        assert all(s.shapes.title.text_frame.text == slides[0].shapes.title.text_frame.text + "（续）" for s in slides[1:])
        if data["key"] == "scorecard":
            assert len(data["tables"][1]["rows"]) == 29 and 3 <= len(slides) <= 4
    assert len(deck.slides) > 1 + len(groups)  # some tables continue
    assert _table_geometry(deck) == pieces
    for page, slide in enumerate(list(deck.slides)[1:], start=2):
        texts = _texts(slide)
        assert any(t.startswith("资料来源：") for t in texts) and any(t.endswith(f"RURAL-02 · 保密 · {page}") for t in texts)


def test_a_firm_template_replaces_the_house_master(chinese_payload, tmp_path):
    firm = Presentation()  # a 4:3 master with a sample slide, as firms' templates often carry
    firm.slides.add_slide(firm.slide_layouts[1]).shapes.title.text = "sample slide"
    firm.slide_layouts[5].name = "Title Only"
    firm.save(str(tmp_path / "firm.pptx"))
    deck = Presentation(str(write_deck(chinese_payload, tmp_path / "deck.pptx", check_template(tmp_path / "firm.pptx"))))
    assert deck.slide_width == Emu(9144000)  # the template's size, not the house 16:9
    assert len(_by_section(deck, "zh")) == len(chinese_payload["slides"])
    assert all(slide.slide_layout.name == "Title Only" for slide in list(deck.slides)[1:])
    assert "sample slide" not in [t for slide in deck.slides for t in _texts(slide)]


def test_bad_templates_are_refused_before_any_report_runs(tmp_path, capsys):
    (tmp_path / "not.pptx").write_text("hello", encoding="utf-8")
    with pytest.raises(ParameterError, match="not a PowerPoint .pptx file"):
        check_template(tmp_path / "not.pptx")
    with pytest.raises(ParameterError, match="file not found"):
        check_template(tmp_path / "missing.pptx")
    assert main(["report", "CITY-02", "--formats", "pptx", "--deck-template", str(tmp_path / "not.pptx"), "--out", str(tmp_path / "o")]) == 2
    assert "not a PowerPoint" in capsys.readouterr().err and not (tmp_path / "o").exists()
    assert main(["report", "CITY-02", "--formats", "html,docx", "--out", str(tmp_path / "o")]) == 2
    assert "html, pdf, pptx, xlsx" in capsys.readouterr().err


# ------------------------------------------------------------------ the data pack


def test_the_data_pack_has_every_table_as_a_named_sheet(run):
    book = openpyxl.load_workbook(run["xlsx"])
    sheets = ["Positioning", "Scores", "Frontier", "Gaps", "Value chain", "Initiatives", "Cost lines", "Cash flows", "Business case",
              "Scenarios", "Tornado", "Monte Carlo", "Roadmap", "Risks", "KPI scorecard", "Data quality", "Sources"]
    assert book.sheetnames == ["README", *sheets] and len(sheets) == len(BUILDERS)
    readme = [row[0] for row in book["README"].iter_rows(values_only=True)]
    assert all(sheet in readme for sheet in sheets)
    for sheet in sheets:
        assert book[sheet].freeze_panes == "A2", sheet
    scenarios = book["Scenarios"]
    header = [c.value for c in scenarios[1]]
    assert header[:3] == ["Scenario", "NPV (CNY)", "IRR (%)"]
    assert scenarios["B2"].number_format == "#,##0" and scenarios["C2"].number_format == "0.0%"
    assert book["Positioning"]["E2"].number_format.endswith("%")  # crm_opex_ratio, a ratio metric, in its row's unit


def test_the_data_pack_round_trips_to_summary_json(run):
    summary, path = run["summary"], run["xlsx"]
    case = pd.read_excel(path, sheet_name="Business case").set_index("Key")["Value"]
    for key in ("npv", "irr", "payback_years", "programme_cost", "programme_benefit", "contingency", "value_at_stake", "prob_npv_positive",
                "npv_p10", "npv_p50", "npv_p90"):
        assert case[key] == pytest.approx(summary[key], rel=1e-12), key
    scores = pd.read_excel(path, sheet_name="Scores").set_index("Dimension id")["Score (0-100)"]
    for key, value in scores.items():
        assert value == pytest.approx(summary[f"score_{key}"], abs=1e-9)
    initiatives = pd.read_excel(path, sheet_name="Initiatives").sort_values("Rank")
    assert list(initiatives.loc[initiatives["In the programme"], "Initiative id"]) == summary["programme_initiatives"]
    costs = pd.read_excel(path, sheet_name="Cost lines").set_index("Line")["Amount over the horizon (CNY)"]
    assert costs.to_dict() == pytest.approx(summary["cost_lines"], rel=1e-12)
    chain = pd.read_excel(path, sheet_name="Value chain")
    assert chain["Addressable (a year) (CNY)"].sum() == pytest.approx(summary["addressable_value"], rel=1e-9)
    assert chain["Risk-adjusted benefit (a year) (CNY)"].sum() == pytest.approx(summary["risk_adjusted_benefit"], rel=1e-9)
    gaps = pd.read_excel(path, sheet_name="Gaps")
    assert gaps.loc[gaps["Counted in the total"], "Value at stake (a year) (CNY)"].clip(lower=0).sum() == \
        pytest.approx(summary["value_at_stake"], rel=1e-9)
    monte_carlo = pd.read_excel(path, sheet_name="Monte Carlo").set_index("Key")
    assert monte_carlo.at["prob_npv_positive", "P10"] == pytest.approx(summary["prob_npv_positive"])
    flows = pd.read_excel(path, sheet_name="Cash flows")
    assert flows["Cumulative (CNY)"].iloc[-1] == pytest.approx(flows["Net cash flow (CNY)"].sum())


def test_the_data_pack_matches_the_reports_tables(run):
    """What the client reads in the report is the data pack's number, rounded."""
    gaps = pd.read_excel(run["xlsx"], sheet_name="Gaps").sort_values("Value at stake (a year) (CNY)", ascending=False)
    table = re.search(r"<tbody>(.*?)</tbody>", run["sections"]["gaps"], re.S).group(1)
    first_row = [_html_text(c) for c in re.findall(r"<td>(.*?)</td>", table.split("</tr>")[0])]
    assert first_row[0] == gaps["Metric"].iloc[0]
    assert first_row[-1].rstrip(" *") == f"{gaps['Value at stake (a year) (CNY)'].iloc[0] / 1e6:,.1f}"


def test_text_cells_never_become_formulas(tmp_path):
    table = DataTable("t", "T", "title", pd.DataFrame({"Name": ["=HYPERLINK(\"http://x\")", "+1", "ok"], "Amount": [1.0, 2.0, 3.0]}),
                      ("text", "CNY"), "test")
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook_bytes([table], ["readme"]))
    sheet = openpyxl.load_workbook(path)["T"]
    assert [sheet.cell(r, 1).data_type for r in (2, 3, 4)] == ["s", "s", "s"]
    assert sheet["A2"].value == "=HYPERLINK(\"http://x\")" and sheet["B1"].value == "Amount (CNY)"
