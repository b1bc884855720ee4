"""Charts as the report embeds them: SVG with text kept as text, laid out
once, reproducible; and as PNG at a chosen resolution for other formats."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis_lib.report import charts, fonts


def _cash_flow_table() -> pd.DataFrame:
    rows = [(year, item, amount) for year, (build, run, benefit) in enumerate([(-300, 0, 0), (-50, -40, 160), (0, -40, 210)])
            for item, amount in (("build", build), ("run", run), ("benefit", benefit))]
    return pd.DataFrame(rows, columns=["year", "item", "amount"]).assign(amount=lambda t: t["amount"] * 1e6)


def _texts(svg: bytes) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode("utf-8"))


def test_svg_keeps_text_as_text_and_has_no_raster_or_date():
    svg = charts.figure_svg(charts.cash_flows(_cash_flow_table(), "en", "Business case"))
    assert "Business case" in _texts(svg) and "Years from kick-off" in _texts(svg)
    assert b"<image" not in svg and b"<dc:date>" not in svg
    assert b"DejaVu Sans" in svg  # the font the labels were measured in


def test_svg_is_reproducible_and_the_figure_closed():
    before = set(plt.get_fignums())
    first = charts.figure_svg(charts.cash_flows(_cash_flow_table(), "en", "Business case"))
    second = charts.figure_svg(charts.cash_flows(_cash_flow_table(), "en", "Business case"))
    assert first == second
    assert set(plt.get_fignums()) == before


def test_fit_lays_out_once_and_keeps_every_label_on_the_canvas():
    fig = charts.cash_flows(_cash_flow_table(), "en", "Business case")
    assert fig.get_layout_engine() is not None
    charts.fit(fig)
    assert fig.get_layout_engine() is None  # saving now draws the figure once
    renderer = fig.canvas.get_renderer()
    canvas = fig.bbox
    for ax in fig.axes:
        box = ax.get_tightbbox(renderer)
        assert box.x0 >= canvas.x0 - 1 and box.y0 >= canvas.y0 - 1 and box.x1 <= canvas.x1 + 1 and box.y1 <= canvas.y1 + 1
    plt.close(fig)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_radar_labels_print_at_9_pt_clear_of_the_ring_and_of_each_other(language):
    """The report shows the radar unscaled (its CSS box holds the figure's
    size), so a 9.5 pt label prints at 9.5 pt; every label outside the ring,
    inside the figure, clear of the others, the title and the legend."""
    from pathlib import Path

    scores = pd.Series({"cost": 13.0, "efficiency": 16.0, "value": 23.0, "compliance": 14.0, "experience": 9.0, "extension": 30.0,
                        "overall": 18.0})
    fig = charts.fit(charts.radar(scores, language, "Six-dimension scorecard" if language == "en" else "六维度评分卡"))
    width_in, height_in = fig.get_size_inches()
    css = (Path(charts.__file__).parent / "templates/crm_report/report.css").read_text(encoding="utf-8")
    box = float(re.search(r"\.section-scorecard \.two-col figure\.chart img \{ max-height: ([\d.]+)mm", css).group(1))
    assert height_in * 25.4 <= box and width_in * 25.4 <= 115  # the A4 text column beside the 60 mm scores table: never shrunk
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    ring = ax.get_window_extent(renderer)
    centre, radius = ((ring.x0 + ring.x1) / 2, (ring.y0 + ring.y1) / 2), ring.width / 2
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    assert len(labels) == 6 and all(t.get_fontsize() >= 9 for t in labels)
    boxes = [t.get_window_extent(renderer) for t in labels]
    others = [fig.legends[0].get_window_extent(renderer), fig._suptitle.get_window_extent(renderer)]
    canvas = fig.bbox
    for i, b in enumerate(boxes):
        assert canvas.x0 <= b.x0 and b.x1 <= canvas.x1 and canvas.y0 <= b.y0 and b.y1 <= canvas.y1, labels[i].get_text()
        nearest = (min(max(centre[0], b.x0), b.x1), min(max(centre[1], b.y0), b.y1))
        assert np.hypot(nearest[0] - centre[0], nearest[1] - centre[1]) > radius, labels[i].get_text()  # outside the ring
        assert not any(b.overlaps(o) for o in boxes[i + 1:] + others), labels[i].get_text()
    assert radius / fig.dpi > 0.6  # a ring large enough to read (1.2 in across or more)
    plt.close(fig)


def test_heat_map_is_vector():
    grid = pd.DataFrame(np.diag([1, 0, 2, 0, 1]), index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5])
    svg = charts.figure_svg(charts.risk_heat_map(grid, "en", "Risk"))
    assert b"<image" not in svg
    assert _texts(svg).count("2") >= 2  # the count in a cell and the tick label


@pytest.mark.parametrize("dpi", [100, 300])
def test_png_has_the_resolution_asked_for(dpi):
    png = charts.figure_png(charts.cash_flows(_cash_flow_table(), "en", "Business case"), dpi=dpi)
    assert png[1:4] == b"PNG"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == round(charts.WIDTH * dpi)
    assert height == round(3.0 * dpi)


@pytest.mark.skipif(not fonts.pdf_cjk_fonts(), reason="needs a TrueType-outline Chinese font (fonts-wqy-microhei)")
def test_chinese_chart_text_is_set_in_a_font_the_pdf_embeds_as_truetype():
    svg = charts.figure_svg(charts.cash_flows(_cash_flow_table(), "zh", "商业论证")).decode("utf-8")
    family = re.search(r"font-family: '([^']+)'", svg).group(1)
    assert family in fonts.PDF_FAMILIES
    assert "font-weight: 700" not in svg  # no bold: the browser would embolden it as Type 3 glyphs
    assert "商业论证" in svg


@pytest.mark.parametrize("language, bold_kept", [("en", True), pytest.param("zh", False, marks=pytest.mark.skipif(
    not fonts.pdf_cjk_fonts(), reason="needs a TrueType-outline Chinese font (fonts-wqy-microhei)"))])
def test_bold_text_stays_bold_only_where_the_font_has_a_bold_face(language, bold_kept):
    fig, ax = charts._figure(2.0, language)
    ax.text(0.5, 0.5, "加权评分" if language == "zh" else "Weighted score", fontweight="bold")
    svg = charts.figure_svg(fig).decode("utf-8")
    assert ("font-weight: 700" in svg) is bold_kept


@pytest.mark.parametrize("language, marker", [("en", "Base case"), ("zh", "基准情景")])
def test_monte_carlo_chart_marks_the_base_case_beside_the_percentiles(language, marker):
    npv = np.random.default_rng(3).normal(100e6, 60e6, 5000)
    svg = charts.figure_svg(charts.npv_distribution(npv, language, "Monte Carlo", base=140e6)).decode("utf-8")
    assert marker in svg and "P50" in svg
    assert marker not in charts.figure_svg(charts.npv_distribution(npv, language, "Monte Carlo")).decode("utf-8")


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("language", ["en", pytest.param("zh", marks=pytest.mark.skipif(
    not fonts.pdf_cjk_fonts(), reason="needs a TrueType-outline Chinese font (fonts-wqy-microhei)"))])
def test_a_chart_saved_for_the_deck_and_the_report_is_laid_out_once(language):
    """The deck's PNG and the report's SVG come from one figure: the second
    save must not lay it out again (matplotlib would give it the default
    engine of the house style, and tight layout would move a radar laid out
    in inches)."""
    import io

    scores = pd.Series({"cost": 40.0, "efficiency": 55.0, "value": 60.0, "experience": 45.0, "extension": 70.0,
                        "compliance": 50.0, "overall": 52.0})
    for fig in (charts.radar(scores, language, "Scores"), charts.cash_flows(_cash_flow_table(), language, "Business case")):
        charts.save(fig, io.BytesIO(), format="png", dpi=100)
        placed = [ax.get_position().bounds for ax in fig.axes]
        charts.figure_svg(fig)
        assert fig.get_layout_engine() is None
        assert [ax.get_position().bounds for ax in fig.axes] == placed


def _peer_rows() -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    rows = pd.DataFrame({
        "metric_id": ["rm_load", "cost_income", "nps"],
        "label_en": ["Customers per relationship manager", "Cost-to-income ratio", "Net Promoter Score"],
        "label_zh": ["人均管户数", "成本收入比", "净推荐值"],
        "unit": ["count", "ratio", "score"], "direction": ["higher_better", "lower_better", "higher_better"],
        "value": [3700.0, 0.334, -10.0], "rag": ["red", "amber", "green"]})
    rng = np.random.default_rng(5)
    values = {"cost_income": rng.uniform(0.23, 0.39, 15), "rm_load": rng.uniform(2800, 11000, 15), "nps": rng.uniform(-6, 41, 15)}
    return rows, values


@pytest.mark.parametrize("language", ["en", pytest.param("zh", marks=pytest.mark.skipif(
    not fonts.pdf_cjk_fonts(), reason="needs a TrueType-outline Chinese font (fonts-wqy-microhei)"))])
def test_peer_panels_place_box_and_institution_on_each_panels_own_scale(language):
    """Each panel's drawn scale reads true: the quartile box, the median
    and the institution's marker sit where the panel's tick labels say,
    percentages of ratios shown in %; labels are round, inside the canvas
    and clear of each other."""
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle

    rows, values = _peer_rows()
    fig = charts.peer_distributions(rows, values, language, "Peer positioning")
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    texts = [t for t in ax.texts if t.get_text()]
    titles = [t for t in texts if t.get_va() == "baseline"]
    expected = (["人均管户数（个，↑）", "成本收入比（%，↓）", "净推荐值（分，↑）"] if language == "zh" else
                ["Customers per relationship manager (count, ↑)", "Cost-to-income ratio (%, ↓)", "Net Promoter Score (score, ↑)"])
    assert [t.get_text() for t in titles] == expected
    boxes = [r for r in ax.patches if isinstance(r, Rectangle)]
    markers = [c for c in ax.collections if isinstance(c, PathCollection)][-1].get_offsets()
    ticks = [t for t in texts if t.get_va() == "top"]
    for i, (_, row) in enumerate(rows.iterrows()):
        title_x, title_y = titles[i].get_position()
        column = [t for t in ticks if (t.get_position()[0] < charts.WIDTH / 2) == (title_x < charts.WIDTH / 2) and t.get_position()[1] < title_y]
        below = max(t.get_position()[1] for t in column)  # the scale under this panel
        scale_ticks = sorted((t for t in column if t.get_position()[1] == below), key=lambda t: t.get_position()[0])
        assert 2 <= len(scale_ticks) <= 5
        (x0, v0), (x1, v1) = [(t.get_position()[0], float(t.get_text())) for t in (scale_ticks[0], scale_ticks[-1])]
        steps = np.diff([float(t.get_text()) for t in scale_ticks])
        assert v1 > v0 and np.allclose(steps, steps[0])  # round, evenly spaced, increasing
        at = np.poly1d(np.polyfit([x0, x1], [v0, v1], 1))  # canvas position to value, as the labels read
        scale = 100.0 if row["unit"] == "ratio" else 1.0
        q1, median, q3 = np.percentile(values[row["metric_id"]] * scale, [25, 50, 75])
        left, right = boxes[i].get_x(), boxes[i].get_x() + boxes[i].get_width()
        tolerance = 1e-9 * (v1 - v0)
        assert at(left) == pytest.approx(q1, abs=tolerance) and at(right) == pytest.approx(q3, abs=tolerance)
        assert at(markers[i][0]) == pytest.approx(row["value"] * scale, abs=tolerance)
        assert any(at(line.get_xdata()[0]) == pytest.approx(median, abs=tolerance) for line in ax.lines)
    extents = [t.get_window_extent(renderer) for t in texts]
    canvas = fig.bbox
    for i, box in enumerate(extents):
        assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1 and canvas.y0 <= box.y0 and box.y1 <= canvas.y1, texts[i].get_text()
        assert not any(box.overlaps(other) for other in extents[i + 1:]), texts[i].get_text()
    plt.close(fig)


def test_gantt_prints_unscaled_with_8_pt_task_labels():
    """The report's box for the Gantt chart (its CSS max-height) holds the
    figure at its own size, so the task labels print at 8 pt, and every
    label stays clear of the next."""
    from pathlib import Path

    from analysis_lib.plan.roadmap import critical_path, load_roadmap

    css = (Path(charts.__file__).parent / "templates/crm_report/report.css").read_text(encoding="utf-8")
    box = float(re.search(r"\.section-roadmap figure\.chart img \{ max-height: ([\d.]+)mm", css).group(1))
    tasks = critical_path(load_roadmap()).tasks
    fig = charts.fit(charts.gantt(tasks, "en", "Roadmap"))
    width, height = fig.get_size_inches()
    assert len(tasks) >= 15 and height * 25.4 <= box + 1e-9 and width * 25.4 <= 182  # A4 less the margins: never shrunk
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert len(labels) == len(tasks) and all(t.get_fontsize() >= 8 for t in labels)
    boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda b: b.y0)
    assert all(lower.y1 <= upper.y0 + 0.5 for lower, upper in zip(boxes, boxes[1:]))
    plt.close(fig)
