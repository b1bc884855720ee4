"""A table laid out on slides: how a report table is cut into slide-sized
pieces when it does not fit one slide, so that the deck never truncates a
table and never lets one run off the slide.

- **Rows** are measured, not counted: each cell's text is wrapped at its
  column's width and the font size (Latin letters at Arial's proportions,
  a Chinese character the full size, a little slack for wider glyphs), so
  a row is as tall as its longest cell and a slide holds as many rows as
  its height allows. A long
  table continues on further slides, its header row repeated on each, and
  the rows are spread evenly over them (never a lone row on the last).
- **Columns**: a table too wide for the slide keeps its first column (the
  row labels) on every slide and spreads the others, in order, over as few
  slides as their comfortable widths allow.
- **Font size**: the largest size, from the table's own down to
  :data:`MIN_SIZE`, that needs the fewest slides.

Geometry only, in inches and points: :mod:`analysis_lib.report.deck` draws
the pieces with python-pptx.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MIN_SIZE = 9
"""The smallest table text on a slide (points), still readable when projected."""
CELL_MARGIN_X = 0.1
"""Left and right inner margin of a table cell (inches; python-pptx's default)."""
CELL_MARGIN_Y = 0.03
"""Top and bottom inner margin of a table cell (inches)."""
BOLD = 1.12
"""How much wider bold text runs than regular (the header row)."""
SLACK = 1.08
"""Room left beyond the estimated width of a column's text, for letters wider than the average."""
COMFORTABLE_CHARS = 15
"""Width (half-width characters) a text column is given before it must wrap, when deciding how many columns fit a slide."""
NARROW, WIDE = set("ijlftrI"), set("mwMW%")
"""Letters much narrower or wider than the average (Arial)."""
_TOKEN = re.compile(r"[\u2e80-\U0002ffff\uff00-\uffef]|[^\s\u2e80-\U0002ffff\uff00-\uffef]+|\s+")


def text_width(text: str, size: float) -> float:
    """Estimated width of one line of text in inches at ``size`` points
    (Arial's proportions: capitals wider than lower case, a Chinese
    character the full size).

    Examples
    --------
    >>> round(text_width("abcd", 10), 3), round(text_width("净现值", 10), 3)
    (0.278, 0.417)
    """
    return sum(_char_em(ch) for ch in text) * size / 72


def _char_em(ch: str) -> float:
    if ord(ch) > 0x2E80:
        return 1.0
    if ch in NARROW:
        return 0.25
    if ch in WIDE:
        return 0.85
    if ch.isupper():
        return 0.68
    if ch.isdigit():
        return 0.556
    if ch.isalpha():
        return 0.5
    return 0.3 if ch in " .,:;'|!()[]/-" else 0.58


def line_height(size: float, language: str) -> float:
    """Height of one line of table text in inches (Arial's line spacing, or
    the taller spacing of a Chinese font)."""
    return size * (1.34 if language == "zh" else 1.2) / 72


def wrapped_lines(text: str, width: float, size: float) -> int:
    """Lines ``text`` takes in a box ``width`` inches wide: words wrap whole
    (a word longer than the line is broken), Chinese characters anywhere.

    Examples
    --------
    >>> wrapped_lines("short", 2, 10), wrapped_lines("word " * 40, 2, 10), wrapped_lines("", 1, 10)
    (1, 7, 1)
    """
    if not text:
        return 1
    lines, used = 1, 0.0
    for token in _TOKEN.findall(text):
        w = text_width(token, size)
        if token.isspace():
            used += w
            continue
        if used + w <= width or used == 0 and w <= width:
            used += w
            continue
        if w > width:  # a word longer than the line: broken across lines
            extra = math.ceil(w / width) - 1
            lines += (1 if used > 0 else 0) + extra
            used = w - extra * width
            continue
        lines += 1
        used = w
    return lines


@dataclass(frozen=True)
class TablePage:
    """One slide's piece of a table: which body rows and columns it shows
    (indices into the table), the font size, column widths and row heights
    in inches (the header row's first when the table has a header)."""

    rows: tuple[int, ...]
    columns: tuple[int, ...]
    size: float
    widths: tuple[float, ...]
    heights: tuple[float, ...]

    @property
    def height(self) -> float:
        """The piece's height in inches: the sum of its row heights."""
        return sum(self.heights)


def padded(header: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """The header (empty when it has no text) and rows, every row as long as the longest.

    Examples
    --------
    >>> padded(["", ""], [["a", "1"], ["b"]])
    ([], [['a', '1'], ['b', '']])
    """
    n_cols = max([len(header), *(len(r) for r in rows)], default=0)
    pad = [*header, *[""] * (n_cols - len(header))] if any(header) else []
    return pad, [[*r, *[""] * (n_cols - len(r))] for r in rows]


def _column_extents(header: list[str], rows: list[list[str]], n_cols: int, size: float) -> tuple[list[float], list[float]]:
    """Each column's narrowest width (its longest word, or 4 Chinese
    characters of a Chinese run) and its width on one line, in inches with
    the cell margins."""
    narrow, single = [], []
    for c in range(n_cols):
        texts = [(r[c], 1.0) for r in rows] + ([(header[c], BOLD)] if header else [])
        words = [(w, k) for t, k in texts for w in _TOKEN.findall(t) if not w.isspace()]
        longest_word = max((min(text_width(w, size), text_width("字" * 4, size)) * k if ord(w[0]) > 0x2E80 else text_width(w, size) * k
                            for w, k in words), default=0.0)
        longest = max((text_width(t, size) * k for t, k in texts), default=0.0)
        narrow.append(max(longest_word, text_width("000", size)) * SLACK + 2 * CELL_MARGIN_X)
        single.append(max(longest, text_width("000", size)) * SLACK + 2 * CELL_MARGIN_X)
    return narrow, single


def _comfortable(narrow: list[float], single: list[float], size: float) -> list[float]:
    cap = text_width("x" * COMFORTABLE_CHARS, size) + 2 * CELL_MARGIN_X
    return [min(s, max(n, cap)) for n, s in zip(narrow, single)]


def column_groups(comfortable: list[float], width: float) -> list[tuple[int, ...]]:
    """The columns of each slide of a table too wide for one: the first
    column (the row labels) on every slide, the others in order, in as few
    groups as fit ``width`` and as even in width as possible.

    Examples
    --------
    >>> column_groups([2, 1, 1, 1], 10), column_groups([2, 3, 3, 3, 3], 8.5)
    ([(0, 1, 2, 3)], [(0, 1, 2), (0, 3, 4)])
    """
    n = len(comfortable)
    if n <= 1 or sum(comfortable) <= width:
        return [tuple(range(n))]
    label, others = comfortable[0], comfortable[1:]
    room = width - label
    groups = 1
    used = 0.0
    for w in others:  # the fewest groups, filled greedily
        if used and used + w > room:
            groups += 1
            used = 0.0
        used += w
    best = _even_partition(others, groups)
    return [(0, *(1 + i for i in part)) for part in best]


def _even_partition(widths: list[float], groups: int) -> list[tuple[int, ...]]:
    """Contiguous groups of ``widths`` minimising the widest group (dynamic programme)."""
    n = len(widths)
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    inf = float("inf")
    cost = [[inf] * (n + 1) for _ in range(groups + 1)]
    cut = [[0] * (n + 1) for _ in range(groups + 1)]
    cost[0][0] = 0.0
    for g in range(1, groups + 1):
        for end in range(g, n + 1):
            for start in range(g - 1, end):
                value = max(cost[g - 1][start], prefix[end] - prefix[start])
                if value < cost[g][end]:
                    cost[g][end], cut[g][end] = value, start
    bounds, end = [], n
    for g in range(groups, 0, -1):
        start = cut[g][end]
        bounds.append(tuple(range(start, end)))
        end = start
    return bounds[::-1]


def _widths(columns: tuple[int, ...], narrow: list[float], single: list[float], width: float) -> tuple[float, ...]:
    """Column widths filling ``width``: each column its narrowest width, the
    rest shared in proportion to what each still needs to sit on one line
    (or to its one-line width when all fit)."""
    lo = [narrow[c] for c in columns]
    hi = [single[c] for c in columns]
    if sum(hi) <= width:
        return tuple(h * width / sum(hi) for h in hi)
    spare = max(width - sum(lo), 0.0)
    need = [h - low for h, low in zip(hi, lo)]
    total = sum(need) or 1.0
    widths = [low + spare * n / total for low, n in zip(lo, need)]
    scale = width / sum(widths) if sum(widths) > width else 1.0  # narrowest widths alone too wide: squeezed
    return tuple(w * scale for w in widths)


def _row_height(cells: list[str], widths: tuple[float, ...], size: float, language: str, bold: bool = False) -> float:
    lines = max(wrapped_lines(t, (w - 2 * CELL_MARGIN_X) / SLACK, size * (BOLD if bold else 1.0)) for t, w in zip(cells, widths))
    return lines * line_height(size, language) + 2 * CELL_MARGIN_Y + 0.02


def split_rows(heights: list[float], header: float, first: float, rest: float) -> list[tuple[int, ...]]:
    """Body rows per slide: every slide within its height (``first`` for the
    first slide, ``rest`` for the others, each holding the ``header`` row
    too), on as few slides as possible, the rows spread evenly over the
    continuation slides so that none is left with a lone row.

    Examples
    --------
    >>> [len(p) for p in split_rows([0.3] * 29, 0.3, 5.0, 5.0)]
    [15, 14]
    >>> [len(p) for p in split_rows([0.3] * 17, 0.3, 5.0, 5.0)]
    [9, 8]
    >>> [len(p) for p in split_rows([0.3] * 20, 0.3, 2.0, 5.0)]
    [5, 15]
    """
    n = len(heights)
    if n == 0:
        return [()]
    for pages in range(1, n + 1):
        split = _try_split(heights, header, first, rest, pages)
        if split is not None:
            return split
    return [(i,) for i in range(n)]


def _fits(heights: list[float], start: int, stop: int, header: float, room: float) -> bool:
    return header + sum(heights[start:stop]) <= room + 1e-9


def _try_split(heights: list[float], header: float, first: float, rest: float, pages: int) -> list[tuple[int, ...]] | None:
    n = len(heights)
    if pages == 1:
        return [tuple(range(n))] if _fits(heights, 0, n, header, first) else None
    even = math.ceil(n / pages)
    head = min(even, n - 2 * (pages - 1))  # leave at least two rows for each continuation slide
    while head > 0 and not _fits(heights, 0, head, header, first):
        head -= 1
    if head <= 0:
        return None
    left = n - head
    counts = [left // (pages - 1) + (1 if i < left % (pages - 1) else 0) for i in range(pages - 1)]
    split, start = [tuple(range(head))], head
    for count in counts:
        if not _fits(heights, start, start + count, header, rest):
            return None
        split.append(tuple(range(start, start + count)))
        start += count
    return split


def table_pages(header: list[str], rows: list[list[str]], width: float, first_height: float, rest_height: float, language: str,
                largest: float = 11) -> list[TablePage]:
    """A table cut into slide pieces: column groups (the label column on
    each), then within each group the rows slide by slide, at the largest
    font size that needs the fewest slides.

    Parameters
    ----------
    header, rows : list
        The table's header row (empty when it has none) and body rows, as text.
    width : float
        Width available for the table on a slide, inches.
    first_height, rest_height : float
        Height available on the table's first slide and on each continuation slide, inches.
    largest : float
        The font size to start from, points.

    Examples
    --------
    >>> rows = [[f"Metric {i}", f"{i:.1f}", "%"] for i in range(29)]
    >>> pages = table_pages(["Metric", "Value", "Unit"], rows, 12.3, 5.1, 5.1, "en")
    >>> [len(p.rows) for p in pages], pages[0].columns, all(p.height <= 5.1 for p in pages)
    ([15, 14], (0, 1, 2), True)
    """
    header, rows = padded(header, rows)
    n_cols = max([len(header), *(len(r) for r in rows)], default=0)
    best: list[TablePage] | None = None
    size = largest
    while size >= MIN_SIZE:
        pages = _pages_at(header, rows, n_cols, width, first_height, rest_height, language, size)
        if best is None or len(pages) < len(best):
            best = pages
        size -= 1
    return best or []


def _pages_at(header: list[str], rows: list[list[str]], n_cols: int, width: float, first_height: float, rest_height: float,
              language: str, size: float) -> list[TablePage]:
    narrow, single = _column_extents(header, rows, n_cols, size)
    pages = []
    for group in column_groups(_comfortable(narrow, single, size), width):
        widths = _widths(group, narrow, single, width)
        head_h = _row_height([header[c] for c in group], widths, size, language, bold=True) if header else 0.0
        heights = [_row_height([r[c] for c in group], widths, size, language) for r in rows]
        room_first = first_height if not pages else rest_height
        for part in split_rows(heights, head_h, room_first, rest_height):
            pages.append(TablePage(part, group, size, widths, ((head_h,) if header else ()) + tuple(heights[i] for i in part)))
    return pages
