"""A table cut into slide-sized pieces: rows measured from the font size
and the column widths, never a lone row, the row labels on every piece."""

import pytest

from analysis_lib.report.slide_tables import (
    MIN_SIZE,
    column_groups,
    line_height,
    split_rows,
    table_pages,
    text_width,
    wrapped_lines,
)


@pytest.mark.parametrize("rows, room, expected", [
    (29, 5.0, [15, 14]),   # 15 fit beside the header
    (16, 5.0, [8, 8]),     # never 15 + a lone row
    (15, 5.0, [15]),
    (40, 5.0, [14, 13, 13]),
    (3, 5.0, [3]),
])
def test_rows_spread_evenly_over_as_few_slides_as_fit(rows, room, expected):
    pages = split_rows([0.3] * rows, 0.3, room, room)
    assert [len(p) for p in pages] == expected
    assert [i for p in pages for i in p] == list(range(rows))  # every row once, in order
    assert all(0.3 + 0.3 * len(p) <= room for p in pages)


def test_a_smaller_first_slide_holds_fewer_rows():
    pages = split_rows([0.3] * 20, 0.3, 2.0, 5.0)
    assert [len(p) for p in pages] == [5, 15]


def test_wide_tables_keep_the_label_column_and_balance_the_rest():
    groups = column_groups([2.0, 3.0, 3.0, 3.0, 3.0], 8.5)
    assert groups == [(0, 1, 2), (0, 3, 4)]
    assert column_groups([2.0, 1.0, 1.0], 10) == [(0, 1, 2)]
    wide = column_groups([1.5] + [1.0] * 13, 6.0)  # 13 columns beside the labels, 4.5 in of room a slide
    assert all(g[0] == 0 for g in wide) and sorted(c for g in wide for c in g[1:]) == list(range(1, 14))
    assert len(wide) == 4 and max(len(g) for g in wide) - min(len(g) for g in wide) <= 1


def test_text_is_measured_in_arial_proportions_and_chinese_at_full_size():
    assert text_width("净现值", 10) == pytest.approx(3 * 10 / 72)
    assert text_width("MMMM", 10) > text_width("iiii", 10) * 3
    assert wrapped_lines("净" * 20, text_width("净" * 10, 10) + 1e-9, 10) == 2  # Chinese breaks anywhere
    assert wrapped_lines("x" * 40, text_width("x" * 10, 10) + 1e-9, 10) == 4  # a word longer than the line is broken
    assert line_height(10, "zh") > line_height(10, "en")


@pytest.mark.parametrize("language, word", [("en", "Acquisition cost per customer"), ("zh", "高净值客户获客成本")])
def test_pieces_fit_the_slide_and_keep_every_row_and_column(language, word):
    header = ["Metric", *(f"Column {c}" for c in range(1, 12))]
    rows = [[f"{word} {r}", *(f"{r * c:,.1f}" for c in range(1, 12))] for r in range(30)]
    pages = table_pages(header, rows, 12.3, 4.0, 5.1, language)
    assert pages[0].height <= 4.0 and all(p.height <= 5.1 for p in pages)
    assert all(p.size >= MIN_SIZE and p.columns[0] == 0 and sum(p.widths) == pytest.approx(12.3) for p in pages)
    groups = sorted({p.columns for p in pages})
    assert sorted(c for g in groups for c in g[1:]) == list(range(1, 12))
    for group in groups:
        shown = [i for p in pages if p.columns == group for i in p.rows]
        assert shown == list(range(30))
    assert all(len(p.rows) >= 2 for p in pages)
