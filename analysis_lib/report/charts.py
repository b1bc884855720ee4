"""Report charts: one house style, functions that take results and return a
matplotlib ``Figure``. Labels come in the report's language; Chinese text is
set in a TrueType-outline Chinese font (WenQuanYi Micro Hei; Noto Sans CJK
without one). The palette is Okabe–Ito (colour-blind safe); figures are
sized for an A4 page (at most 6.7 in wide) with fonts of 8 pt or more.

Charts never recompute an analysis: they draw the tables they are given.

The report embeds them as SVG (:func:`figure_svg`): vector lines, text kept
as text (selectable in the PDF, set by the browser in the chart's font), a
fraction of a PNG's cost and size. :func:`figure_png` renders the same figure
as a PNG at any resolution, for slides and spreadsheets. Both lay a figure
out once (:func:`fit`) before drawing it a single time.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import io
from functools import cache

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import cbook
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator, ScalarFormatter

from analysis_lib.report.fonts import chart_cjk_font
from analysis_lib.report.text import MoneyScale, dimension_label, money_scale, unit_label, word

PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00", "sky": "#56B4E9",
    "purple": "#CC79A7", "yellow": "#F0E442", "grey": "#7F7F7F", "ink": "#1F2A36", "light": "#D9DEE4",
}
RAG_COLOURS = {"red": PALETTE["vermillion"], "amber": PALETTE["orange"], "green": PALETTE["green"], "n/a": PALETTE["grey"]}
WIDTH = 6.7
TICKS = 6
"""Intervals between round ticks on a numeric axis, at most."""
FIT_PAD = 0.35
"""Margin around a figure's outermost labels, in font sizes (3 pt)."""


def apply_style(language: str = "en") -> None:
    """The house style: clean axes, readable sizes, a CJK font when needed
    (:class:`~analysis_lib.report.fonts.MissingFontError` when none is installed)."""
    font = chart_cjk_font() if language == "zh" else None
    families = ([font] if font else []) + ["DejaVu Sans"]
    plt.rcParams.update({
        "font.family": "sans-serif", "font.sans-serif": families, "font.size": 9, "axes.titlesize": 10.5,
        "axes.titleweight": _bold(language), "axes.labelsize": 9, "xtick.labelsize": 8.5, "ytick.labelsize": 8.5, "legend.fontsize": 8.5,
        "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": PALETTE["ink"], "axes.labelcolor": PALETTE["ink"],
        "xtick.color": PALETTE["ink"], "ytick.color": PALETTE["ink"], "text.color": PALETTE["ink"], "axes.grid": True,
        "grid.color": PALETTE["light"], "grid.linewidth": 0.6, "axes.axisbelow": True, "figure.dpi": 100, "savefig.dpi": 160,
        "axes.unicode_minus": False, "figure.constrained_layout.use": True,
    })


def _bold(language: str) -> str:
    """Bold in English; regular in Chinese, whose TrueType fonts have no bold
    face: the browser would embolden the SVG text itself, which Chromium
    prints as Type 3 glyphs (as the report's Chinese CSS, emphasis by size
    and colour)."""
    return "normal" if language == "zh" else "bold"


def _figure(height: float, language: str, ncols: int = 1) -> tuple[Figure, object]:
    apply_style(language)
    fig, ax = plt.subplots(1, ncols, figsize=(WIDTH, height), layout="constrained")
    for axes in np.atleast_1d(ax):
        _few_ticks(axes.xaxis)
        _few_ticks(axes.yaxis)
    return fig, ax


FIXED = {"figure.constrained_layout.use": False, "figure.autolayout": False}
"""rcParams under which a laid-out figure keeps its layout: matplotlib gives
a figure without a layout engine the default engine of the rcParams in force
whenever it resets the engine, as every ``savefig`` does on its way out."""


def fit(fig: Figure) -> Figure:
    """Lay ``fig`` out once and fix it: every label inside the canvas.

    A figure with a layout engine is laid out again on every draw, and
    saving draws it twice (once to measure); constrained layout measures
    every text twice more. Here the labels are measured once (matplotlib's
    tight layout, 3 pt from the edges) and the engine removed, so saving
    draws the figure a single time. Figures without an engine (their
    layout set in inches) are left as they are. Save a fitted figure with
    :func:`save` (or under :data:`FIXED`), so that it stays as laid out.

    Examples
    --------
    >>> fig, ax = _figure(2.0, "en")
    >>> fit(fig).get_layout_engine() is None
    True
    """
    if fig.get_layout_engine() is not None:
        fig.set_layout_engine("none")
        fig.tight_layout(pad=FIT_PAD)
        with plt.rc_context(FIXED):
            fig.set_layout_engine(None)
    return fig


def save(fig: Figure, target, **savefig: object) -> None:
    """``fig.savefig(target, **savefig)`` of the fitted figure, laid out once
    however often it is saved (the report's SVG, the deck's PNG).

    Examples
    --------
    >>> fig, ax = _figure(2.0, "en")
    >>> save(fig, io.BytesIO(), format="png"); save(fig, io.BytesIO(), format="svg")
    >>> fig.get_layout_engine() is None
    True
    """
    fit(fig)
    with plt.rc_context(FIXED):
        fig.savefig(target, **savefig)


def _weights_the_fonts_have(fig: Figure) -> None:
    """Bold text whose font has no bold face (the Chinese TrueType fonts)
    set regular, as matplotlib measured it: in an SVG the browser would
    embolden it itself, wider than measured, and Chromium prints such
    glyphs as Type 3."""
    from matplotlib import font_manager, ft2font
    from matplotlib.text import Text

    if _has_bold(tuple(plt.rcParams["font.sans-serif"])):  # the English charts' DejaVu Sans: nothing to do
        return
    for text in fig.findobj(Text):
        prop = text.get_fontproperties()
        if font_manager.weight_dict.get(prop.get_weight(), prop.get_weight()) >= 600 and text.get_text():
            face = font_manager.get_font(font_manager.findfont(prop))
            if not face.style_flags & ft2font.StyleFlags.BOLD:
                text.set_fontweight("normal")


@cache
def _has_bold(families: tuple[str, ...]) -> bool:
    """Whether the first installed font of ``families`` has a bold face
    (the font bold chart text is set in)."""
    from matplotlib import font_manager

    def weight(entry) -> int:
        return font_manager.weight_dict.get(entry.weight, entry.weight) if isinstance(entry.weight, str) else int(entry.weight)

    installed = font_manager.fontManager.ttflist
    for family in families:
        faces = [entry for entry in installed if entry.name == family]
        if faces:
            return any(weight(entry) >= 600 for entry in faces)
    return False


def figure_svg(fig: Figure) -> bytes:
    """``fig`` as an SVG document (text as text, no date stamp), then closed.

    Examples
    --------
    >>> fig, ax = _figure(2.0, "en")
    >>> figure_svg(fig).startswith(b"<?xml")
    True
    """
    buffer = io.BytesIO()
    _weights_the_fonts_have(fig)
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "crm-diagnostic"}):
        save(fig, buffer, format="svg", facecolor="white", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def figure_png(fig: Figure, dpi: int = 300) -> bytes:
    """``fig`` as a PNG at ``dpi`` (300 by default: print quality for slides
    and spreadsheets), then closed.

    Examples
    --------
    >>> fig, ax = _figure(2.0, "en")
    >>> png = figure_png(fig, dpi=100)
    >>> png[1:4], int.from_bytes(png[16:20], "big")  # 6.7 in at 100 dpi
    (b'PNG', 670)
    """
    buffer = io.BytesIO()
    save(fig, buffer, format="png", dpi=dpi, facecolor="white")
    plt.close(fig)
    return buffer.getvalue()


def _in(values, scale: MoneyScale) -> np.ndarray:
    """Amounts in the chart's money unit (one unit per chart, chosen by magnitude)."""
    return np.asarray(values, dtype=float) / scale.divisor


def radar(scores: pd.Series, language: str, title: str) -> Figure:
    """Six-dimension scores (0–100) against the peer median (50).

    Drawn at the size it is printed beside the scores table (4.5 × 2 in,
    about 114 × 51 mm: the report's box holds it unscaled), so its dimension
    labels read at 9.5 pt; each label sits outside the ring, aligned away
    from it, the legend to the ring's right, and the ring is as large as
    the measured labels (English or Chinese) allow inside the figure.

    Examples
    --------
    >>> fig = radar(pd.Series({"cost": 40.0, "efficiency": 55.0, "value": 60.0, "overall": 52.0}), "en", "Scores")
    >>> [t.get_fontsize() >= 9 for t in fig.axes[0].get_xticklabels()], fig.get_size_inches().tolist()
    ([True, True, True], [4.5, 2.0])
    """
    apply_style(language)
    dims = [d for d in scores.index if d != "overall"]
    angles = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
    closed = np.r_[angles, angles[0]]
    width, height, label_pt, pad, margin = 4.5, 2.0, 9.5, 4.0 / 72, 0.08  # inches, except the labels' size in points
    labels = [dimension_label(d, language) for d in dims]
    fig = plt.figure(figsize=(width, height), layout="none")  # laid out here, in inches: fit() leaves it as drawn
    ax = fig.add_axes((0, 0, 1, 1), projection="polar")
    values = scores[dims].to_numpy(float)
    ax.plot(closed, np.r_[np.full(len(dims), 50.0), 50.0], color=PALETTE["grey"], linestyle="--", linewidth=1, label=word("peer_median", language))
    ax.plot(closed, np.r_[values, values[0]], color=PALETTE["blue"], linewidth=2, label=word("institution_marker", language))
    ax.fill(closed, np.r_[values, values[0]], color=PALETTE["blue"], alpha=0.15)
    ax.set_xticks(angles)
    ax.set_xticklabels(labels, fontsize=label_pt)
    ax.tick_params(axis="x", pad=pad * 72 - 7)  # matplotlib adds 7 pt to a polar label's pad (it centres labels); these are aligned outward
    for label, angle in zip(ax.get_xticklabels(), angles):  # outward from the ring, never across it
        cos, sin = np.cos(angle), np.sin(angle)
        label.set_horizontalalignment("left" if cos > 0.2 else "right" if cos < -0.2 else "center")
        label.set_verticalalignment("bottom" if sin > 0.2 else "top" if sin < -0.2 else "center")
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75])
    ax.set_rlabel_position(90)  # the 25/50/75 labels up the vertical, between the labels at 60° and 120°
    ax.tick_params(axis="y", labelsize=7.5, labelcolor=PALETTE["grey"])
    legend = fig.legend(loc="center left", ncols=1, frameon=False, fontsize=9, handlelength=1.6, borderaxespad=0)
    # The ring as large as the title and the labels (measured in the chart's font) leave room for, and ring, labels
    # and legend (right of the ring) centred across the figure.
    renderer = fig.canvas.get_renderer()
    heading = fig.suptitle(title, y=1 - 0.04 / height, va="top", fontsize=10, fontweight=_bold(language))
    top = height - heading.get_window_extent(renderer).y0 / fig.dpi + 0.08  # 0.08 in: a label's box sits a little past its anchor
    half_h = (height - top - margin) / 2
    boxes = [(extent.width / fig.dpi, extent.height / fig.dpi) for extent in (t.get_window_extent(renderer) for t in ax.get_xticklabels())]
    radius = min((half_h - pad * abs(np.sin(a)) - (h if abs(np.sin(a)) > 0.2 else h / 2)) / abs(np.sin(a))
                 for (w, h), a in zip(boxes, angles) if abs(np.sin(a)) > 1e-9)
    legend_w, gap = legend.get_window_extent(renderer).width / fig.dpi, 0.15

    def reach(r: float, side: float) -> float:  # how far ring and labels reach to one side (-1 left, +1 right) of the centre
        return max([r, *(r * abs(np.cos(a)) + pad * abs(np.cos(a)) + (w if abs(np.cos(a)) > 0.2 else w / 2)
                         for (w, _), a in zip(boxes, angles) if np.cos(a) * side > 0.2 or abs(np.cos(a)) <= 0.2)])

    while radius > 0.3 and reach(radius, -1) + reach(radius, 1) + gap + legend_w > width - 2 * margin:
        radius -= 0.01
    start = (width - reach(radius, -1) - reach(radius, 1) - gap - legend_w) / 2
    centre_x, centre_y = start + reach(radius, -1), margin + half_h
    ax.set_position(((centre_x - radius) / width, (centre_y - radius) / height, 2 * radius / width, 2 * radius / height))
    legend.set_bbox_to_anchor(((centre_x + reach(radius, 1) + gap) / width, centre_y / height), transform=fig.transFigure)
    heading.set_x(centre_x / width)
    return fig


def peer_distributions(rows: pd.DataFrame, peer_values: dict[str, np.ndarray], language: str, title: str) -> Figure:
    """One small panel per key metric: the peer group's values (dots, with
    the interquartile box) and the institution marked. ``rows`` has the
    metric's labels, ``unit`` (or a ready ``unit_label``), ``direction``,
    ``value`` and ``rag``.

    The panels share one axes laid out in inches, each with its own drawn
    scale (spines, round ticks, grid): eleven matplotlib axes would cost
    three times as much for the same picture.

    Examples
    --------
    >>> rows = pd.DataFrame({"metric_id": ["nps"], "label_en": ["Net Promoter Score"], "unit": ["score"],
    ...                      "direction": ["higher_better"], "value": [12.0], "rag": ["amber"]})
    >>> fig = peer_distributions(rows, {"nps": np.array([5.0, 20.0, 31.0])}, "en", "Peer positioning")
    >>> [t.get_text() for t in fig.axes[0].texts]  # the panel's scale, then its title
    ['10', '20', '30', 'Net Promoter Score (score, ↑)']
    """
    ncols, panels = 2, len(rows)
    nrows = max(1, int(np.ceil(panels / ncols)))
    apply_style(language)
    height = 1.35 * nrows + 0.5
    fig = plt.figure(figsize=(WIDTH, height), layout="none")
    ax = fig.add_axes((0, 0, 1, 1))  # the whole canvas, in inches
    ax.set_axis_off()
    ax.set(xlim=(0, WIDTH), ylim=(0, height))
    boxes = _panel_boxes(panels, nrows, ncols, height, top=0.5, bottom=0.3, left=0.16, right=0.14, row_gap=0.52, column_gap=0.3)
    rng = np.random.default_rng(0)
    parts: dict[str, list] = {"dots": [], "markers": [], "colours": []}
    for box, (_, row) in zip(boxes, rows.iterrows()):
        scale = 100.0 if row["unit"] == "ratio" else 1.0
        values = np.asarray(peer_values.get(row["metric_id"], []), dtype=float) * scale
        jitter = rng.uniform(-0.12, 0.12, values.size)
        panel = _Panel(box, np.r_[values, row["value"] * scale])
        _draw_panel(ax, panel, values, jitter, _panel_title(row, language))
        parts["dots"].append(np.c_[panel.x(values), panel.y(1 + jitter)])
        parts["markers"].append((panel.x(row["value"] * scale), panel.y(1.0)))
        parts["colours"].append(RAG_COLOURS.get(row["rag"], PALETTE["blue"]))
    dots = np.concatenate(parts["dots"]) if parts["dots"] else np.empty((0, 2))
    ax.scatter(dots[:, 0], dots[:, 1], s=9, color=PALETTE["grey"], alpha=0.7, zorder=2)
    if parts["markers"]:
        x, y = np.array(parts["markers"]).T
        ax.scatter(x, y, s=70, marker="D", color=parts["colours"], edgecolors=PALETTE["ink"], linewidths=1.0, zorder=3)
    fig.suptitle(title, fontsize=10.5, fontweight=_bold(language), y=1 - 0.06 / height, va="top")
    return fig


PT = 1 / 72
"""One typographic point, in inches."""


class _Panel:
    """A peer-distribution panel: its box on the canvas (inches) and its
    value scale (the data with matplotlib's 5% margins; y from 0.5 to 1.5)."""

    def __init__(self, box: tuple[float, float, float, float], values: np.ndarray):
        self.x0, self.y0, self.width, self.height = box
        finite = values[np.isfinite(values)]
        low, high = MaxNLocator().nonsingular(*(finite.min(), finite.max()) if finite.size else (0.0, 1.0))
        margin = 0.05 * (high - low)
        self.low, self.high = low - margin, high + margin

    def x(self, values) -> np.ndarray:
        return self.x0 + (np.asarray(values, dtype=float) - self.low) / (self.high - self.low) * self.width

    def y(self, values) -> np.ndarray:
        return self.y0 + (np.asarray(values, dtype=float) - 0.5) * self.height

    def ticks(self) -> tuple[np.ndarray, list[str]]:
        """Round ticks inside the scale (at most five) and their labels, as
        :func:`_few_ticks` and matplotlib's plain number format give them."""
        locator = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10])
        formatter = ScalarFormatter(useOffset=False)
        formatter.set_scientific(False)
        for helper in (locator, formatter):
            helper.create_dummy_axis()
            helper.axis.set_view_interval(self.low, self.high)
        tol = 1e-10 * (self.high - self.low)
        ticks = [t for t in locator.tick_values(self.low, self.high) if self.low - tol <= t <= self.high + tol]
        return np.array(ticks), formatter.format_ticks(ticks)


def _panel_boxes(count: int, nrows: int, ncols: int, height: float, *, top: float, bottom: float, left: float, right: float,
                 row_gap: float, column_gap: float) -> list[tuple[float, float, float, float]]:
    """(left, bottom, width, height) in inches of ``count`` panels filled row by row."""
    width = (WIDTH - left - right - column_gap * (ncols - 1)) / ncols
    tall = (height - top - bottom - row_gap * (nrows - 1)) / nrows
    return [(left + (i % ncols) * (width + column_gap), height - top - (i // ncols) * (tall + row_gap) - tall, width, tall)
            for i in range(count)]


def _panel_title(row: pd.Series, language: str) -> str:
    """The metric, its unit (the row's ``unit_label`` where given: the
    catalog's, e.g. 户 for customers) and the direction it improves in."""
    unit = row["unit_label"] if "unit_label" in row.index else unit_label(row["unit"], language)
    direction = "↓" if row["direction"] == "lower_better" else "↑"
    label = row[f"label_{language}"]
    return f"{label}（{unit}，{direction}）" if language == "zh" else f"{label} ({unit}, {direction})"


def _draw_panel(ax, panel: _Panel, values: np.ndarray, jitter: np.ndarray, title: str) -> None:
    """A panel's frame, scale, title and box plot (its dots and marker are
    drawn with every panel's at once)."""
    style = plt.rcParams
    ticks, labels = panel.ticks()
    x, bottom, top = panel.x(ticks), panel.y0, panel.y0 + panel.height
    tick = style["xtick.major.size"] * PT
    ax.add_collection(LineCollection([[(xi, bottom), (xi, top)] for xi in x], colors=style["grid.color"],
                                     linewidths=style["grid.linewidth"], zorder=0.5))
    frame = [[(panel.x0, top), (panel.x0, bottom), (panel.x0 + panel.width, bottom)]] + [[(xi, bottom), (xi, bottom - tick)] for xi in x]
    ax.add_collection(LineCollection(frame, colors=style["axes.edgecolor"], linewidths=style["axes.linewidth"], zorder=2.5,
                                     capstyle="projecting", joinstyle="miter"))
    for xi, label in zip(x, labels):
        ax.text(xi, bottom - tick - style["xtick.major.pad"] * PT, label, ha="center", va="top", fontsize=style["xtick.labelsize"],
                color=style["xtick.color"])
    ax.text(panel.x0, top + style["axes.titlepad"] * PT, title, ha="left", va="baseline", fontsize=8.5,
            fontweight=style["axes.titleweight"])
    if values.size:
        _box(ax, values, panel)


def _bars(x: np.ndarray, heights: np.ndarray, colours, width: float = 0.8) -> PolyCollection:
    """Vertical bars from zero as one collection: the picture of
    ``Axes.bar`` in one artist instead of one patch per bar (dozens of
    institutions)."""
    left, right = x - width / 2, x + width / 2
    zeros = np.zeros_like(heights)
    corners = np.stack([np.c_[left, zeros], np.c_[left, heights], np.c_[right, heights], np.c_[right, zeros]], axis=1)
    return PolyCollection(corners, facecolors=colours, edgecolors="none", linewidths=0)


def _box(ax, values: np.ndarray, panel: _Panel) -> None:
    """A horizontal box plot across the middle of ``panel`` (box from the
    first to the third quartile, median, whiskers to the furthest values
    within 1.5 IQR, as ``Axes.boxplot``) in three artists rather than
    boxplot's eight."""
    (stats,) = cbook.boxplot_stats(values)
    low, q1, median, q3, high = panel.x([stats["whislo"], stats["q1"], stats["med"], stats["q3"], stats["whishi"]])
    y = panel.y([0.75, 0.875, 1.0, 1.125, 1.25])
    ax.add_patch(Rectangle((q1, y[0]), q3 - q1, y[4] - y[0], facecolor=PALETTE["light"], edgecolor=PALETTE["grey"], zorder=1.5))
    ax.plot([low, q1, np.nan, q3, high, np.nan, low, low, np.nan, high, high], [y[2], y[2], np.nan, y[2], y[2], np.nan, y[1], y[3], np.nan, y[1], y[3]],
            color="black", linewidth=1.0, zorder=1.6)
    ax.plot([median, median], [y[0], y[4]], color=PALETTE["ink"], linewidth=1.0, zorder=1.7)


def _few_ticks(axis, count: int = TICKS) -> None:
    """At most ``count`` + 1 round ticks on a numeric axis (the house style:
    enough to read values, few draw calls)."""
    axis.set_major_locator(MaxNLocator(nbins=count, steps=[1, 2, 2.5, 5, 10]))


def _grid_in_inches(width: float, height: float, nrows: int, ncols: int, *, top: float, bottom: float, left: float, right: float,
                    row_gap: float, column_gap: float) -> dict[str, float]:
    """``gridspec_kw`` for subplots with margins and gaps given in inches."""
    panel_height = (height - top - bottom - row_gap * (nrows - 1)) / nrows
    panel_width = (width - left - right - column_gap * (ncols - 1)) / ncols
    return {"top": 1 - top / height, "bottom": bottom / height, "left": left / width, "right": 1 - right / width,
            "hspace": row_gap / panel_height, "wspace": column_gap / panel_width}


def frontier_scores(frontier: pd.DataFrame, institution_id: str, language: str, title: str) -> Figure:
    """DEA (CRS) efficiency of every institution, sorted, with this one
    highlighted."""
    fig, ax = _figure(2.8, language)
    ordered = frontier["dea_crs"].sort_values()
    colours = [PALETTE["vermillion"] if i == institution_id else PALETTE["sky"] for i in ordered.index]
    ax.add_collection(_bars(np.arange(len(ordered)), ordered.to_numpy(float), colours, width=0.85))
    ax.autoscale_view(scaley=False)
    ax.set_xticks([])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("DEA θ (CRS)" if language == "en" else "DEA效率值θ（规模报酬不变）")
    position = list(ordered.index).index(institution_id) if institution_id in ordered.index else None
    if position is not None:
        ax.annotate(word("institution_marker", language), (position, ordered.iloc[position]), xytext=(0, 12),
                    textcoords="offset points", ha="center", fontsize=8.5, arrowprops={"arrowstyle": "-", "color": PALETTE["ink"]})
    ax.set_title(title)
    return fig


def waterfall(table: pd.DataFrame, language: str, title: str) -> Figure:
    """Cost waterfall from today's CRM cost to the cost after the levers."""
    fig, ax = _figure(3.0, language)
    x = np.arange(len(table))
    bottoms = np.where(table["kind"] == "total", 0.0, np.minimum(table["start"], table["end"]))
    scale = money_scale(np.r_[table["amount"], table["start"], table["end"]], language)
    heights = np.abs(_in(table["amount"], scale))
    colours = [PALETTE["blue"] if k == "total" else PALETTE["green"] for k in table["kind"]]
    ax.bar(x, heights, bottom=_in(bottoms, scale), color=colours, width=0.6)
    for xi, (h, b) in enumerate(zip(heights, _in(bottoms, scale))):
        ax.text(xi, b + h, f"{h:,.{scale.decimals}f}", ha="center", va="bottom", fontsize=8)
    labels = list(table["label_zh" if language == "zh" and "label_zh" in table else "label"])
    ax.set_xticks(x)
    ax.set_xticklabels([_wrap(lbl, 16) for lbl in labels], fontsize=8)
    ax.set_ylabel(word("amount", language, unit=scale.unit))
    ax.set_title(title)
    return fig


def _wrap(text: str, width: int) -> str:
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return "\n".join(text[i:i + 8] for i in range(0, len(text), 8))
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > width and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\n".join(lines)


def priority_matrix(priorities: pd.DataFrame, language: str, title: str) -> Figure:
    """Value captured against one-off cost; bubble size = effort, colour =
    category, number = rank (names are in the table below the chart)."""
    fig, ax = _figure(3.4, language)
    colours = {"quick win": PALETTE["green"], "strategic": PALETTE["blue"], "defer": PALETTE["grey"]}
    scale = money_scale(np.r_[priorities["one_off_cost"], priorities["sequenced_value"]], language)
    for category in ("quick win", "strategic", "defer"):
        group = priorities[priorities["category"] == category]
        if group.empty:
            continue
        ax.scatter(_in(group["one_off_cost"], scale), _in(group["sequenced_value"], scale), s=90 + 60 * group["effort"],
                   color=colours[category], alpha=0.85, edgecolor=PALETTE["ink"], label=word(category, language), zorder=3)
    for _, row in priorities.iterrows():
        ax.annotate(str(row["rank"]), (row["one_off_cost"] / scale.divisor, row["sequenced_value"] / scale.divisor), ha="center", va="center",
                    fontsize=8, fontweight=_bold(language), color="white", zorder=4)
    ax.set_xlabel(word("cost_axis", language, unit=scale.unit))
    ax.set_ylabel(word("value_axis", language, unit=scale.unit))
    ax.margins(0.12)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), markerscale=0.6)
    ax.set_title(title)
    return fig


def cash_flows(table: pd.DataFrame, language: str, title: str) -> Figure:
    """Cash flows by item per period (bars) and the cumulative net (line)."""
    fig, ax = _figure(3.0, language)
    pivot = table.pivot_table(index="year", columns="item", values="amount", aggfunc="sum").fillna(0.0)
    years = pivot.index.to_numpy()
    width = 0.8 / max(1, len(np.unique(np.diff(years))) if len(years) > 1 else 1)
    colours = {"benefit": PALETTE["green"], "build": PALETTE["blue"], "contingency": PALETTE["sky"], "run": PALETTE["orange"]}
    scale = money_scale(np.r_[pivot.to_numpy().ravel(), pivot.sum(axis=1).cumsum()], language)
    positive = np.zeros(len(years))
    negative = np.zeros(len(years))
    for item in ("benefit", "build", "contingency", "run"):
        if item not in pivot:
            continue
        values = _in(pivot[item], scale)
        base = np.where(values >= 0, positive, negative)
        ax.bar(years, values, bottom=base, width=width * (years[1] - years[0] if len(years) > 1 else 1), color=colours[item],
               label=word(item, language))
        positive += np.clip(values, 0, None)
        negative += np.clip(values, None, 0)
    cumulative = _in(pivot.sum(axis=1).cumsum(), scale)
    ax.plot(years, cumulative, color=PALETTE["ink"], marker="o", linewidth=1.5, label=word("cumulative", language))
    ax.axhline(0, color=PALETTE["ink"], linewidth=0.8)
    ax.set_xlabel(word("years_from_kickoff", language))
    ax.set_ylabel(word("amount", language, unit=scale.unit))
    ax.legend(frameon=False, ncols=3, loc="upper left", fontsize=8)
    ax.set_title(title)
    return fig


def tornado(table: pd.DataFrame, language: str, title: str, driver_labels: dict[str, str]) -> Figure:
    """One-way sensitivity of NPV: widest swing on top."""
    fig, ax = _figure(2.9, language)
    rows = table.iloc[::-1]
    scale = money_scale(np.r_[rows["npv_low"], rows["npv_high"], rows["base_npv"]], language)
    base = _in(rows["base_npv"].iloc[0], scale)
    y = np.arange(len(rows))
    low, high = _in(rows["npv_low"], scale), _in(rows["npv_high"], scale)
    legend = table.attrs.get("legend", ("−20%", "+20%"))
    ax.barh(y, low - base, left=base, color=PALETTE["vermillion"], label=legend[0])
    ax.barh(y, high - base, left=base, color=PALETTE["blue"], label=legend[1])
    ax.axvline(base, color=PALETTE["ink"], linewidth=1)
    ax.set_yticks(y)
    ax.set_yticklabels([driver_labels.get(d, d) for d in rows["driver"]])
    ax.set_xlabel(_with_unit(word("npv", language), scale, language))
    ax.legend(frameon=False, loc="lower right")
    ax.set_title(title)
    return fig


def npv_distribution(npv: np.ndarray, language: str, title: str, base: float | None = None) -> Figure:
    """Monte Carlo NPV histogram with P10, P50, P90 and zero marked, and the
    base-case NPV when given (so the reader sees where it sits against the
    median)."""
    fig, ax = _figure(2.8, language)
    scale = money_scale(np.percentile(npv, [1, 99]), language)
    values = _in(npv, scale)
    ax.hist(values, bins=60, color=PALETTE["sky"], histtype="stepfilled")  # one outline, not 60 bars
    for q, style in zip((10, 50, 90), (":", "-", ":")):
        v = np.percentile(values, q)
        ax.axvline(v, color=PALETTE["ink"], linestyle=style, linewidth=1.2)
        ax.text(v, ax.get_ylim()[1] * 0.95, f" P{q}", fontsize=8, va="top")
    ax.axvline(0, color=PALETTE["vermillion"], linewidth=1.2)
    if base is not None and np.isfinite(base):
        b = float(_in(np.array([base]), scale)[0])
        ax.axvline(b, color=PALETTE["blue"], linestyle="--", linewidth=1.4)
        ax.text(b, ax.get_ylim()[1] * 0.80, " " + word("base_case_marker", language), fontsize=8, va="top", color=PALETTE["blue"])
    ax.set_xlabel(_with_unit(word("npv", language), scale, language))
    ax.set_ylabel(word("frequency", language))
    ax.set_title(title)
    return fig


def _with_unit(label: str, scale: MoneyScale, language: str) -> str:
    return f"{label}（{scale.unit}）" if language == "zh" else f"{label} ({scale.unit})"


GANTT_HEIGHT = 105 / 25.4
"""Tallest Gantt chart, in inches: the report's box for it (``max-height:
105mm`` in the report's CSS), so that the page prints it unscaled and its
8 pt task labels at 8 pt."""


def gantt(tasks: pd.DataFrame, language: str, title: str) -> Figure:
    """Gantt bars (weeks), critical path highlighted, milestones as diamonds."""
    fig, ax = _figure(min(0.28 * len(tasks) + 1.2, GANTT_HEIGHT), language)
    name = "name_zh" if language == "zh" else "name_en"
    ordered = tasks.sort_values(["es", "ef"])
    y = np.arange(len(ordered))[::-1]
    colours = np.where(ordered["critical"].to_numpy(bool), PALETTE["vermillion"], PALETTE["sky"])
    milestone = ordered["milestone"].to_numpy(bool)
    floating = ~milestone & (ordered["total_float"].to_numpy(float) > 0)
    # one call per kind of mark (bars, float, milestones) rather than one per task
    ax.barh(y[~milestone], ordered["duration"][~milestone], left=ordered["es"][~milestone], color=colours[~milestone], height=0.6)
    if floating.any():
        ax.barh(y[floating], ordered["total_float"][floating], left=ordered["ef"][floating], color="none", edgecolor=PALETTE["grey"],
                height=0.6, hatch="///", linewidth=0.5)
    if milestone.any():
        ax.scatter(ordered["es"][milestone], y[milestone], marker="D", s=40, color=colours[milestone], edgecolor=PALETTE["ink"], zorder=3)
    ax.set_yticks(y)
    ax.set_yticklabels([str(v) for v in ordered[name]], fontsize=8)
    ax.set_xlabel(word("weeks", language))
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=PALETTE["vermillion"], label=word("critical", language)),
                       Patch(color=PALETTE["sky"], label=word("other_tasks", language))], frameon=False, loc="upper center",
              bbox_to_anchor=(0.5, -0.14), ncols=2)
    ax.set_title(title)
    return fig


def risk_heat_map(grid: pd.DataFrame, language: str, title: str) -> Figure:
    """5×5 heat map: cells coloured by score band, with the count of risks."""
    fig, ax = _figure(3.2, language)
    ax.grid(False)
    probs, impacts = grid.index.to_numpy(), grid.columns.to_numpy()
    score = probs[:, None] * impacts[None, :]
    band = np.where(score >= 15, 2, np.where(score >= 8, 1, 0))
    # vector cells (an image would be a raster in the PDF), each band's colour at 55% on white; edges in the
    # cell's colour so that no hairline shows between cells
    tints = np.array([0.45 + 0.55 * np.array(to_rgb(PALETTE[c])) for c in ("green", "orange", "vermillion")])
    ax.pcolormesh(np.arange(len(impacts) + 1) - 0.5, np.arange(len(probs) + 1) - 0.5, tints[band], edgecolors="face", linewidth=0.3)
    ax.set_xlim(-0.5, len(impacts) - 0.5)
    ax.set_ylim(len(probs) - 0.5, -0.5)
    for i in range(len(probs)):
        for j in range(len(impacts)):
            count = int(grid.iloc[i, j])
            if count:
                ax.text(j, i, str(count), ha="center", va="center", fontsize=11, fontweight=_bold(language))
    ax.set_xticks(range(len(impacts)))
    ax.set_xticklabels(impacts)
    ax.set_yticks(range(len(probs)))
    ax.set_yticklabels(probs)
    ax.set_xlabel(word("impact", language))
    ax.set_ylabel(word("probability", language))
    ax.set_title(title)
    return fig


def retention_curve(km: pd.DataFrame, by_products: pd.DataFrame | None, language: str, title: str) -> Figure:
    """Kaplan–Meier retention by tenure, and churn by products held."""
    apply_style(language)
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 2.8), layout="constrained")
    axes[0].step(np.r_[0, km["time"]], np.r_[1, km["retention"]], where="post", color=PALETTE["blue"])
    axes[0].fill_between(np.r_[0, km["time"]], np.r_[1, km["ci_low"]], np.r_[1, km["ci_high"]], step="post", alpha=0.2,
                         color=PALETTE["blue"])
    axes[0].set_xlabel(word("tenure_years", language))
    axes[0].set_ylabel(word("retention", language))
    axes[0].set_ylim(0, 1.02)
    if by_products is not None:
        axes[1].bar(by_products.index.astype(str), by_products["churn_rate"] * 100, color=PALETTE["orange"])
        axes[1].errorbar(by_products.index.astype(str), by_products["churn_rate"] * 100,
                         yerr=[((by_products["churn_rate"] - by_products["ci_low"]) * 100).clip(lower=0),
                               ((by_products["ci_high"] - by_products["churn_rate"]) * 100).clip(lower=0)], fmt="none",
                         color=PALETTE["ink"])
        axes[1].set_xlabel(word("products_held", language))
        axes[1].set_ylabel(f"{word('churn_rate', language)} (%)")
    fig.suptitle(title, fontsize=10.5, fontweight=_bold(language))
    return fig
