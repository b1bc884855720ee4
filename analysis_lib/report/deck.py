"""The PowerPoint deck: a 16:9 presentation of the report, built from the
same sections (:func:`rendering.section_registry`, in
:data:`rendering.SECTION_ORDER`) and the same diagnostic, so that the deck
and the report never disagree.

A title slide, then one slide per section shown in the report: the
section's action title as the slide title (the section's name above it),
its charts as high-resolution images (the report's own figures, kept at
:data:`DECK_DPI` while the section renders), its key tables (the report's
tables, as the client reads them, whole), the consultant's commentary on it
when there is one, and a footer with the source line and the page number.
The section's text goes to the speaker notes. A table that does not fit
continues on slides titled "… (cont.)" / "…（续）", cut where
:mod:`analysis_lib.report.slide_tables` measures it must be (header
repeated, row labels kept, never a lone row), each with its footer.

Building the content (:func:`deck_payload`, inside the report's kernel) and
writing the file (:func:`write_deck`, needing only python-pptx) are separate:
a batch worker writes the deck from the executed notebook without loading
the analysis stack. The firm's template replaces the house look: pass a
``.pptx`` whose slide master and layouts to use (:func:`check_template`).
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from analysis_lib.errors import ParameterError
from analysis_lib.report.slide_tables import CELL_MARGIN_X, CELL_MARGIN_Y

DECK_DPI = 200
"""Charts are drawn 6.7 in wide: about 1,340 pixels, sharp on a projected 16:9 slide (the report's own copy is SVG)."""
SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5
"""16:9 (PowerPoint's widescreen size) when no template is given."""
CJK_FONT = "Microsoft YaHei"
"""Chinese text is set in 微软雅黑 (shipped with Windows and Office; other
systems substitute a CJK sans such as Noto Sans CJK SC)."""
LATIN_FONT = "Arial"
ACCENT, INK, MUTED, AMBER = "0072B2", "1F2A36", "5B6673", "E69F00"
KEY_TABLE: dict[str, int | tuple[int, ...]] = {
    "scorecard": (0, 1), "frontier": 0, "expectations": 0, "gaps": 0, "value_chain": 1, "initiatives": 0, "technology": 1, "business_case": 2, "sustain": 0,
    "roadmap": 0, "risk": 0, "kpi_tracking": 0, "organisation": 0, "data_protection": 0, "data_quality": 0, "methodology": 0,
    "glossary": 0, "reproducibility": 0}
"""Which of a section's tables are on its slides (by order in the section): the first beside the charts when it
fits there, the others (and a first that does not fit) on continuation slides, every row and column of each."""
WORDS = {
    "source": {"en": "Source", "zh": "资料来源"}, "confidential": {"en": "Confidential", "zh": "保密"},
    "continued": {"en": "{title} (cont.)", "zh": "{title}（续）"},
    "commentary": {"en": "Consultant's commentary", "zh": "顾问评述"},
}


# ------------------------------------------------------------------ content (in the report's kernel)


class _SectionText(HTMLParser):
    """Paragraphs, list items and tables of a section's HTML (commentary
    blocks and figures skipped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.items: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self._skip = 0
        self._skip_tags: list[str] = []
        self._text: list[str] | None = None
        self._kind = ""
        self._table: dict[str, Any] | None = None
        self._row: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("aside", "figure", "h2") or (tag == "p" and "action-title" in (dict(attrs).get("class") or "")):
            self._skip += 1
            self._skip_tags.append(tag)
            return
        if self._skip:
            return
        if tag == "table":
            self._table = {"header": [], "rows": []}
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._text, self._kind = [], "cell"
        elif tag in ("p", "li") and self._table is None:
            self._text, self._kind = [], tag

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tags and tag == self._skip_tags[-1]:
            self._skip_tags.pop()
            self._skip -= 1
            return
        if self._skip:
            return
        if tag in ("td", "th") and self._row is not None and self._text is not None:
            self._row.append(_clean("".join(self._text)))
            self._text = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._in_head:
                self._table["header"] = self._row
            else:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag in ("p", "li") and self._text is not None and self._kind == tag:
            text = _clean("".join(self._text))
            if text:
                (self.paragraphs if tag == "p" else self.items).append(text)
            self._text = None

    def handle_data(self, data: str) -> None:
        if not self._skip and self._text is not None:
            self._text.append(data)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def section_text(section_html: str) -> _SectionText:
    """The paragraphs, list items and tables of one section's HTML.

    Examples
    --------
    >>> t = section_text('<section><h2>T</h2><p>Found <b>x</b>.</p><table><thead><tr><th>A</th></tr></thead>'
    ...                  '<tbody><tr><td>1</td></tr></tbody></table><aside class="commentary"><p>c</p></aside></section>')
    >>> t.paragraphs, t.tables
    (['Found x.'], [{'header': ['A'], 'rows': [['1']]}])
    """
    parser = _SectionText()
    parser.feed(section_html)
    return parser


@dataclass
class _Capture:
    """The figures of the section being rendered, at slide resolution."""

    images: list[str] = field(default_factory=list)

    def __call__(self, fig, alt: str) -> None:
        from analysis_lib.report.charts import save

        buffer = io.BytesIO()
        save(fig, buffer, format="png", dpi=DECK_DPI, facecolor="white")  # laid out once, as the report's copy is
        self.images.append(base64.b64encode(buffer.getvalue()).decode("ascii"))


_KEPT: dict[str, tuple[tuple, str, list[str]]] = {}
"""Sections rendered for the report while a deck is asked for: their HTML
and slide-resolution figures, by section, for the diagnostic they belong to."""


def _token(diag) -> tuple:
    return id(diag), diag.institution_id, diag.stamp.get("run_started_utc", "")


def _captured(render) -> tuple[str, list[str]]:
    from analysis_lib.report import rendering

    capture = _Capture()
    rendering.FIGURE_HOOKS.append(capture)
    try:
        html = render()
    finally:
        rendering.FIGURE_HOOKS.remove(capture)
    return html, capture.images


def kept_for_deck(diag, key: str, render) -> str:
    """Render a section for the report (``render()``); when the run asks for
    a deck, keep its HTML and a slide-resolution copy of its figures, so
    that the deck uses the report's own charts without drawing them again."""
    if "pptx" not in diag.params.get("exports", ""):
        return render()
    html, images = _captured(render)
    _KEPT[key] = (_token(diag), html, images)
    return html


def _render_with_figures(diag, key: str) -> tuple[str, list[str]]:
    """A section's HTML and its figures as slide-resolution PNGs: as kept
    when the report rendered it, else rendered now."""
    kept = _KEPT.get(key)
    if kept is not None and kept[0] == _token(diag):
        return kept[1], kept[2]
    from analysis_lib.report import rendering

    return _captured(lambda: rendering.section_html(diag, key))


def key_tables(key: str, tables: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tables of a section that go on its slides (:data:`KEY_TABLE`),
    whole: every column, every row that has any text.

    Examples
    --------
    >>> key_tables("frontier", [{"header": ["", "Score"], "rows": [["DEA", "0.41"], ["", ""]]}])
    [{'header': ['', 'Score'], 'rows': [['DEA', '0.41']]}]
    """
    index = KEY_TABLE.get(key)
    indices = () if index is None else (index,) if isinstance(index, int) else index
    return [{"header": list(tables[i]["header"]), "rows": [list(r) for r in tables[i]["rows"] if any(c for c in r)]}
            for i in indices if i < len(tables)]


def slide_title(diag, key: str) -> str:
    """The slide's title: the section's action title (what it found,
    :func:`analysis_lib.report.action_titles.action_title`, as the report
    prints it under the section's heading); the executive summary's is the
    recommendation itself; sections without one (the appendices) keep
    their heading."""
    from analysis_lib.report.action_titles import action_title
    from analysis_lib.report.text import title

    if key == "executive_summary":
        from analysis_lib.report.recommendation import headline

        return first_sentence(headline(diag.recommendation(), diag.language))
    return action_title(diag, key) or title(key, diag.language)


def first_sentence(text: str) -> str:
    """The first sentence of a text (the rest goes to the slide's body).

    Examples
    --------
    >>> first_sentence("We recommend a pilot. Why: the NPV is uncertain."), first_sentence("建议先试点。原因：不确定。")
    ('We recommend a pilot.', '建议先试点。')
    """
    match = re.match(r"(.+?(?:\.(?=\s)|。))", text)
    return match.group(1) if match else text


def source_line(diag, key: str) -> str:
    """The footer's source line of a section's slide: the same words as the
    report's source line under that section's charts."""
    from analysis_lib.report import rendering

    return rendering.chart_source(diag, rendering.SECTION_BASIS.get(key, "panel"), diag.language, prefix=False)


def deck_payload(diag) -> dict[str, Any]:
    """Everything the deck shows, as plain JSON values: the title slide's
    facts and, per section the report shows, its title, charts, key tables
    (whole), text, commentary and source line.

    Examples
    --------
    >>> from analysis_lib.report.diagnostic import run_diagnostic
    >>> payload = deck_payload(run_diagnostic(institution_id="CITY-02", mc_draws=1000))
    >>> [s["key"] for s in payload["slides"]][:3], len(payload["slides"][2]["images"])
    (['executive_summary', 'scorecard', 'positioning'], 1)
    """
    from analysis_lib.reference.sample import localised_name
    from analysis_lib.report.commentary import plain_text, read_commentary
    from analysis_lib.report.rendering import SECTION_ORDER
    from analysis_lib.report.text import peer_group_label, title

    language = diag.language
    notes = read_commentary(diag.params["commentary"]) if diag.params.get("commentary") else None
    name = diag.institution.get("name")
    name = localised_name(name, diag.peer_group, language) if isinstance(name, str) and name else diag.institution_id
    slides = []
    for key in SECTION_ORDER:
        if key == "cover":
            continue
        html, images = _render_with_figures(diag, key)
        if not html:
            continue  # a section the report does not show (no customer extract)
        text = section_text(html)
        slides.append({"key": key, "kicker": title(key, language), "title": slide_title(diag, key), "images": images,
                       "tables": key_tables(key, text.tables), "paragraphs": text.paragraphs, "items": text.items,
                       "commentary": plain_text(notes.for_section(key)) if notes else "", "source": source_line(diag, key)})
    return {"language": language, "institution_id": diag.institution_id, "name": name, "title": title("cover", language),
            "peer_group": peer_group_label(diag.peer_group, language), "date": diag.stamp.get("run_started_utc", "")[:10],
            "slides": slides}


# ------------------------------------------------------------------ writing (python-pptx only)


def check_template(path: str | Path | None) -> str:
    """A firm template (``.pptx``) checked before any report runs: it opens
    with python-pptx and has a layout with a title placeholder. Returns the
    resolved path ("" for the house template).

    Raises
    ------
    ParameterError
        When the file is missing, not a PowerPoint file, or has no layout
        with a title.
    """
    if not path:
        return ""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ParameterError(f"deck template: file not found: {path}")
    from pptx import Presentation

    try:
        prs = Presentation(str(path))
    except Exception as exc:  # python-pptx raises several types for a file that is not a presentation
        raise ParameterError(f"deck template {path}: not a PowerPoint .pptx file ({type(exc).__name__}); save the master as .pptx") from None
    if _content_layout(prs) is None:
        raise ParameterError(f"deck template {path}: no slide layout with a title placeholder; add a 'Title Only' layout to the master")
    return str(path.resolve())


def _has_title(layout) -> bool:
    return any(p.placeholder_format.type in (1, 3) for p in layout.placeholders)  # TITLE, CENTER_TITLE


def _content_layout(prs):
    """The layout for section slides: 'Title Only' when the master has one,
    else the layout with a title and the fewest other placeholders."""
    layouts = [layout for layout in prs.slide_layouts if _has_title(layout)]
    named = [layout for layout in layouts if layout.name.strip().lower() in ("title only", "仅标题")]
    if named:
        return named[0]
    return min(layouts, key=lambda layout: len(layout.placeholders), default=None)


def _house_presentation():
    """python-pptx's default master stretched to 16:9."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    factor = SLIDE_WIDTH_IN / (prs.slide_width / 914400)
    prs.slide_width, prs.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    masters = [prs.slide_master, *prs.slide_layouts]
    for owner in masters:
        for shape in owner.shapes if owner is prs.slide_master else owner.placeholders:
            if shape.left is not None and shape.width is not None:
                shape.left, shape.width = int(shape.left * factor), int(shape.width * factor)
    return prs


def _open(template: str | None):
    if not template:
        return _house_presentation(), True
    from pptx import Presentation

    prs = Presentation(template)
    slide_ids = prs.slides._sldIdLst
    for slide_id in list(slide_ids):  # a template may carry sample slides: the deck starts empty
        prs.part.drop_rel(slide_id.rId)
        slide_ids.remove(slide_id)
    return prs, False


def _style_run(run, size: float, language: str, *, bold: bool = False, colour: str | None = INK, house: bool = True) -> None:
    from pptx.dml.color import RGBColor
    from pptx.oxml.ns import qn
    from pptx.util import Pt

    font = run.font
    font.size = Pt(size)
    font.bold = bold
    if colour and house:
        font.color.rgb = RGBColor.from_string(colour)
    if house:
        font.name = LATIN_FONT
    r_pr = run._r.get_or_add_rPr()
    if language == "zh":
        r_pr.set("lang", "zh-CN")
        r_pr.set("altLang", "en-US")
    for tag in ("a:ea",):
        for old in r_pr.findall(qn(tag)):
            r_pr.remove(old)
    ea = r_pr.makeelement(qn("a:ea"), {"typeface": CJK_FONT, "charset": "-122"})
    latin = r_pr.find(qn("a:latin"))
    if latin is not None:
        latin.addnext(ea)
    else:
        following = [r_pr.find(qn(t)) for t in ("a:cs", "a:sym", "a:hlinkClick", "a:hlinkMouseOver", "a:rtl", "a:extLst")]
        following = [f for f in following if f is not None]
        if following:
            following[0].addprevious(ea)
        else:
            r_pr.append(ea)


def _text(frame, paragraphs: list[str], size: float, language: str, *, colour: str | None = INK, bold: bool = False,
          house: bool = True, align=None) -> None:
    from pptx.util import Pt

    frame.word_wrap = True
    for index, line in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(4)
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = line
        _style_run(run, size, language, bold=bold, colour=colour, house=house)


def _box(slide, left: float, top: float, width: float, height: float, lines: list[str], size: float, language: str, **style):
    from pptx.util import Inches

    shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = shape.text_frame
    frame.margin_left = frame.margin_right = Inches(0.05)
    _text(frame, lines, size, language, **style)
    return shape


@dataclass(frozen=True)
class _Frame:
    """The slide's geometry in inches: width, height, where the body starts."""

    width: float
    height: float
    body_top: float
    margin: float = 0.5

    @property
    def body_bottom(self) -> float:
        return self.height - 0.7

    @property
    def body_width(self) -> float:
        return self.width - 2 * self.margin


def _footer(slide, frame: _Frame, source: str, page: int, payload: dict[str, Any], house: bool) -> None:
    from pptx.enum.text import PP_ALIGN

    language = payload["language"]
    colon = "：" if language == "zh" else ": "
    _box(slide, frame.margin, frame.height - 0.55, frame.body_width - 2.6, 0.45, [WORDS["source"][language] + colon + source], 8, language,
         colour=MUTED, house=house)
    right = f"{payload['institution_id']} · {WORDS['confidential'][language]} · {page}"
    _box(slide, frame.width - frame.margin - 2.5, frame.height - 0.55, 2.5, 0.3, [right], 8, language, colour=MUTED, house=house,
         align=PP_ALIGN.RIGHT)


def _picture(slide, image: str, left: float, top: float, width: float, height: float) -> None:
    """A chart fitted (aspect kept) and centred in a box."""
    from PIL import Image
    from pptx.util import Inches

    data = base64.b64decode(image)
    with Image.open(io.BytesIO(data)) as img:
        ratio = img.height / img.width
    w = min(width, height / ratio)
    h = w * ratio
    slide.shapes.add_picture(io.BytesIO(data), Inches(left + (width - w) / 2), Inches(top + (height - h) / 2), Inches(w), Inches(h))


def _table(slide, table: dict[str, Any], piece, left: float, top: float, language: str) -> None:
    """One slide's piece of a table (:class:`~analysis_lib.report.slide_tables.TablePage`):
    its columns and rows, the header row (repeated on every piece) in the
    accent colour, column widths and row heights as laid out."""
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    from analysis_lib.report.slide_tables import padded

    header, rows = padded(table["header"], table["rows"])
    all_rows = ([[header[c] for c in piece.columns]] if header else []) + [[rows[i][c] for c in piece.columns] for i in piece.rows]
    shape = slide.shapes.add_table(len(all_rows), len(piece.columns), Inches(left), Inches(top), Inches(sum(piece.widths)),
                                   Inches(piece.height))
    grid = shape.table
    grid.first_row = bool(header)
    for c, width in enumerate(piece.widths):
        grid.columns[c].width = Inches(width)
    for r, row in enumerate(all_rows):
        grid.rows[r].height = Inches(piece.heights[r])
        for c, value in enumerate(row):
            cell = grid.cell(r, c)
            cell.margin_top = cell.margin_bottom = Inches(CELL_MARGIN_Y)
            cell.margin_left = cell.margin_right = Inches(CELL_MARGIN_X)
            cell.text_frame.word_wrap = True
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.text = ""
            paragraph.font.size = Pt(piece.size)
            paragraph._p.get_or_add_endParaRPr().set("sz", str(int(piece.size * 100)))
            is_head = bool(header) and r == 0
            if value:  # an empty run would make the row taller in some viewers: an empty cell has none
                run = paragraph.add_run()
                run.text = value
                _style_run(run, piece.size, language, bold=is_head or (not header and c == 0), colour="FFFFFF" if is_head else INK,
                           house=True)
            cell.fill.solid()
            cell.fill.fore_color.rgb = RGBColor.from_string(ACCENT if is_head else ("F3F5F7" if r % 2 else "FFFFFF"))
    shape.height = sum(grid.rows[r].height for r in range(len(all_rows)))


def fitting_size(lines: list[str], width: float, height: float, largest: float) -> float:
    """The largest font size (points, down to 8) at which ``lines`` fit a
    box of ``width`` × ``height`` inches, estimating a Latin character at
    half the size wide and a Chinese one at the full size.

    Examples
    --------
    >>> fitting_size(["short"], 10, 3, 14), fitting_size(["word " * 400], 10, 3, 14)
    (14, 10)
    """
    import math

    size = largest
    while size > 8:
        per_line = width * 72 / (size * 0.5)
        rows = sum(max(1, math.ceil(_width(line) / per_line)) for line in lines)
        if rows * size * 1.25 / 72 + len(lines) * 4 / 72 <= height:
            return size
        size -= 1
    return size


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _commentary(slide, text: str, left: float, top: float, width: float, height: float, language: str, house: bool) -> None:
    from pptx.dml.color import RGBColor
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left), Inches(top), Inches(0.08), Inches(height))
    bar.fill.solid()
    bar.fill.fore_color.rgb = RGBColor.from_string(AMBER)
    bar.line.fill.background()
    back = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, Inches(left + 0.08), Inches(top), Inches(width - 0.08), Inches(height))
    back.fill.solid()
    back.fill.fore_color.rgb = RGBColor.from_string("FDF6E7")
    back.line.fill.background()
    import math

    per_line = int((width - 0.3) * 72 / 5)  # half-width characters a 10-point line holds
    rows_left = int((height - 0.35) * 72 / 13)
    shown = []
    for line in text.splitlines():
        rows = max(1, math.ceil(_width(line) / per_line))
        if rows > rows_left:
            cut, used = [], 0
            for ch in line:
                used += 2 if ord(ch) > 0x2E80 else 1
                if used > rows_left * per_line - 2:
                    break
                cut.append(ch)
            if rows_left > 0:
                shown.append("".join(cut) + "…")
            break
        shown.append(line)
        rows_left -= rows
    box = _box(slide, left + 0.2, top + 0.05, width - 0.3, height - 0.1, [WORDS["commentary"][language]], 9, language, colour="8A5A00",
               bold=True, house=house)
    _text_append(box.text_frame, shown, 10, language, house)


def _text_append(frame, lines: list[str], size: float, language: str, house: bool) -> None:
    for line in lines:
        paragraph = frame.add_paragraph()
        run = paragraph.add_run()
        run.text = line
        _style_run(run, size, language, house=house)


def _title_slide(prs, payload: dict[str, Any], house: bool) -> None:
    language = payload["language"]
    layout = prs.slide_layouts[0]
    slide = prs.slides.add_slide(layout)
    head = f"{payload['name']}（{payload['institution_id']}）" if language == "zh" else f"{payload['name']} ({payload['institution_id']})"
    lines = [payload["title"], head]
    if slide.shapes.title is not None:
        slide.shapes.title.text_frame.text = ""
        _text(slide.shapes.title.text_frame, [payload["title"]], 36, language, colour=ACCENT, bold=True, house=house)
    subtitle = next((p for p in slide.placeholders if p.placeholder_format.idx == 1), None)
    facts = [head, payload["peer_group"], payload["date"], WORDS["confidential"][language]]
    if subtitle is not None:
        subtitle.text_frame.text = ""
        _text(subtitle.text_frame, facts, 18, language, colour=MUTED, house=house)
    elif slide.shapes.title is None:
        _box(slide, 0.8, 2.5, 11, 3, lines + facts[1:], 24, language, house=house)


def _new_slide(prs, layout, payload: dict[str, Any], title: str, kicker: str, house: bool):
    """A section slide with its title (and the section's name above it
    when given); returns the slide and its geometry."""
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches

    language = payload["language"]
    slide = prs.slides.add_slide(layout)
    width, height = prs.slide_width / 914400, prs.slide_height / 914400
    title_shape = slide.shapes.title
    if house:
        title_shape.left, title_shape.top = Inches(0.5), Inches(0.55)
        title_shape.width, title_shape.height = Inches(width - 1.0), Inches(1.0)
    title_shape.text_frame.text = ""
    title_shape.text_frame.word_wrap = True
    long_title = _width(title) > 110
    _text(title_shape.text_frame, [title], 18 if long_title else 22, language, colour=ACCENT if house else None, bold=True, house=house,
          align=PP_ALIGN.LEFT)
    title_shape.text_frame.vertical_anchor = MSO_ANCHOR.TOP
    body_top = (title_shape.top + title_shape.height) / 914400 + 0.1
    if kicker:
        _box(slide, 0.5, max(body_top - 1.45, 0.15), width - 1.0, 0.35, [kicker], 11, language, colour=MUTED, house=house)
    return slide, _Frame(width, height, body_top)


def continued(title: str, language: str) -> str:
    """The title of a table's continuation slide.

    Examples
    --------
    >>> continued("Appendix C: Glossary", "en"), continued("附录C：术语表", "zh")
    ('Appendix C: Glossary (cont.)', '附录C：术语表（续）')
    """
    return WORDS["continued"][language].format(title=title)


def _section_slides(prs, layout, payload: dict[str, Any], data: dict[str, Any], page: int, house: bool) -> int:
    """A section's slide, then a continuation slide for each further piece
    of its tables; returns how many slides were added."""
    language = payload["language"]
    kicker = data["kicker"] if data["kicker"] != data["title"] else ""
    slide, frame = _new_slide(prs, layout, payload, data["title"], kicker, house)
    bottom = frame.body_bottom
    if data["commentary"]:
        _commentary(slide, data["commentary"], frame.margin, bottom - 1.25, frame.body_width, 1.2, language, house)
        bottom -= 1.35
    later = _body(slide, frame, data, _tables_of(data), bottom, language, house)
    _footer(slide, frame, data["source"], page, payload, house)
    notes = [*data["paragraphs"], *(f"• {i}" for i in data["items"])]
    if notes:
        slide.notes_slide.notes_text_frame.text = "\n".join(notes)
    added = 1
    for table, pieces in later:
        for piece in pieces:
            slide, frame = _new_slide(prs, layout, payload, continued(data["title"], language), kicker or data["kicker"], house)
            _table(slide, table, piece, frame.margin, frame.body_top, language)
            _footer(slide, frame, data["source"], page + added, payload, house)
            added += 1
    return added


def _tables_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A slide's tables (a payload recorded before tables were kept whole has one, ``table``)."""
    if "tables" in data:
        return data["tables"]
    return [data["table"]] if data.get("table") else []


def _pieces(table: dict[str, Any], width: float, first_height: float, rest_height: float, language: str) -> list:
    from analysis_lib.report.slide_tables import table_pages

    return table_pages(table["header"], table["rows"], width, first_height, rest_height, language)


def _body(slide, frame: _Frame, data: dict[str, Any], tables: list[dict[str, Any]], bottom: float, language: str,
          house: bool) -> list[tuple[dict[str, Any], list]]:
    """Charts, the first table and text in the body area; returns the
    tables, or pieces of them, left for continuation slides."""
    left, top, width = frame.margin, frame.body_top, frame.body_width
    height = bottom - top
    full = frame.body_bottom - frame.body_top  # a continuation slide's table area
    images = data["images"]
    if data["key"] == "executive_summary":
        lines = [*data["paragraphs"][:3], *(f"• {i}" for i in data["items"])]
        if lines and lines[0].startswith(data["title"]):
            lines[0] = lines[0][len(data["title"]):].strip()
        _box(slide, left, top, width, height, lines, fitting_size(lines, width, height, 13), language, house=house)
        return [(t, _pieces(t, width, full, full, language)) for t in tables]
    if not images and not tables:
        lines = data["paragraphs"][:4]
        _box(slide, left, top, width, height, lines, fitting_size(lines, width, height, 14), language, house=house)
        return []
    later = [(t, _pieces(t, width, full, full, language)) for t in tables[1:]]
    if not images:
        lead = [first_sentence(p) for p in data["paragraphs"][:1]]  # the whole text is in the notes
        if lead:
            size = fitting_size(lead, width, 0.8, 12)
            _box(slide, left, top, width, 0.8, lead, size, language, house=house)
            top += 0.85
        pieces = _pieces(tables[0], width, bottom - top, full, language)
        _table(slide, tables[0], pieces[0], left, top, language)
        return [(tables[0], pieces[1:]), *later] if len(pieces) > 1 else later
    cells = len(images) + (1 if tables else 0)
    if len(images) == 1:
        area = (left + width * 0.52, top, width * 0.48, height)
    else:
        cols, rows = 2, (cells + 1) // 2
        r, c = divmod(len(images), cols)
        area = (left + c * width / cols + 0.1, top + r * height / rows + 0.05, width / cols - 0.2, height / rows - 0.1)
    pieces = _pieces(tables[0], area[2], area[3], area[3], language) if tables else []
    beside = len(pieces) == 1  # the whole table fits beside the charts; else it goes to the next slides at full width
    if not beside and tables:
        later.insert(0, (tables[0], _pieces(tables[0], width, full, full, language)))
    _charts(slide, images, left, top, width, height, with_table=beside)
    if beside:
        _table(slide, tables[0], pieces[0], area[0], area[1], language)
    return later


def _charts(slide, images: list[str], left: float, top: float, width: float, height: float, *, with_table: bool) -> None:
    """The section's charts: one beside the table (or across the body), more in a two-column grid."""
    if len(images) == 1:
        _picture(slide, images[0], left, top, width * 0.5 if with_table else width, height)
        return
    cells = len(images) + (1 if with_table else 0)
    cols = 2
    rows = (cells + 1) // cols
    cell_w, cell_h = width / cols, height / rows
    for index, image in enumerate(images):
        r, c = divmod(index, cols)
        _picture(slide, image, left + c * cell_w + 0.05, top + r * cell_h + 0.05, cell_w - 0.1, cell_h - 0.1)


def deck_bytes(payload: dict[str, Any], template: str | None = None) -> bytes:
    """The deck (``.pptx`` bytes) from a recorded payload, in the house
    look or on a firm's master."""
    prs, house = _open(template or None)
    layout = _content_layout(prs)
    _title_slide(prs, payload, house)
    page = 2
    for data in payload["slides"]:
        page += _section_slides(prs, layout, payload, data, page, house)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def write_deck(payload: dict[str, Any], path: str | Path, template: str | None = None) -> Path:
    """Write the deck atomically.

    Examples
    --------
    >>> import tempfile
    >>> from analysis_lib.report.diagnostic import run_diagnostic
    >>> path = write_deck(deck_payload(run_diagnostic(institution_id="JSB-01", mc_draws=1000)), Path(tempfile.mkdtemp()) / "d.pptx")
    >>> from pptx import Presentation; len(Presentation(str(path)).slides)  # title, 14 sections (no delivery slides), 6 continuations
    21
    """
    from analysis_lib.report.export import atomic_write_bytes

    atomic_write_bytes(Path(path), deck_bytes(payload, template))
    return Path(path)
