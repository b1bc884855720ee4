"""Charts of the progress review, in the house style of
:mod:`analysis_lib.report.charts`: they draw the review's tables and never
recompute them."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis_lib.reference.catalog import DIMENSIONS
from analysis_lib.report.charts import PALETTE, _figure, _wrap
from analysis_lib.report.text import dimension_label, money_scale, word

LINE_COLOURS = (PALETTE["blue"], PALETTE["orange"], PALETTE["green"], PALETTE["vermillion"], PALETTE["sky"], PALETTE["purple"])


def _wrap_label(text: str, language: str) -> str:
    """A bar label on at most two lines: English at word boundaries; Chinese
    left whole up to 12 characters, else broken after a conjunction (并, 与,
    及, 和) nearest the middle, so that no word is cut.

    Examples
    --------
    >>> _wrap_label("整合CRM系统并建设客户数据平台(CDP)", "zh")
    '整合CRM系统并\\n建设客户数据平台(CDP)'
    """
    if language != "zh":
        return _wrap(text, 30)
    if len(text) <= 12:
        return text
    breaks = [i + 1 for i, ch in enumerate(text) if ch in "并与及和"]
    cut = min(breaks, key=lambda i: abs(i - len(text) / 2)) if breaks else len(text) // 2
    return f"{text[:cut]}\n{text[cut:]}"


def score_trend(scores: pd.DataFrame, baseline: str, language: str, title: str) -> Figure:
    """Dimension scores (thin lines) and the overall score (thick) per
    period, the baseline period marked.

    Examples
    --------
    >>> s = pd.DataFrame({"overall": [20.0, 30.0], **{d: [10.0, 20.0] for d in DIMENSIONS}}, index=["2024", "2025"])
    >>> float(score_trend(s, "2024", "en", "Scores").axes[0].get_ylim()[1])
    100.0
    """
    fig, ax = _figure(2.9, language)
    x = np.arange(len(scores.index))
    for colour, dimension in zip(LINE_COLOURS, DIMENSIONS):
        ax.plot(x, scores[dimension], color=colour, linewidth=1.1, marker="o", markersize=3, label=dimension_label(dimension, language))
    ax.plot(x, scores["overall"], color=PALETTE["ink"], linewidth=2.6, marker="o", label=word("overall", language))
    if baseline in scores.index:
        ax.axvline(list(scores.index).index(baseline), color=PALETTE["grey"], linestyle="--", linewidth=1)
    ax.set_xticks(x, list(scores.index))
    ax.set_ylim(0, 100)
    ax.set_ylabel("0–100")
    ax.legend(frameon=False, ncols=4, loc="upper left", fontsize=7.5)
    ax.set_title(title)
    return fig


def productivity_quadrant(across: pd.DataFrame, institution_id: str, peer_group: str, language: str, title: str,
                          labels: dict[str, str]) -> Figure:
    """Efficiency change (x) against technical change (y) of every
    institution, log scales centred on 1; the peer group in colour, the
    institution as a diamond; quadrant labels from ``labels`` (keys
    ``catch_up_frontier_up``, ``catch_up_frontier_down``,
    ``fall_behind_frontier_up``, ``fall_behind_frontier_down``)."""
    fig, ax = _figure(3.6, language)
    data = across.dropna(subset=["efficiency_change", "technical_change"])
    others = data[data["peer_group"] != peer_group]
    peers = data[(data["peer_group"] == peer_group) & (data["unit"] != institution_id)]
    own = data[data["unit"] == institution_id]
    ax.scatter(others["efficiency_change"], others["technical_change"], s=14, color=PALETTE["light"], edgecolor=PALETTE["grey"],
               linewidth=0.4, label=labels["others"])
    ax.scatter(peers["efficiency_change"], peers["technical_change"], s=22, color=PALETTE["sky"], label=labels["peers"])
    ax.scatter(own["efficiency_change"], own["technical_change"], s=90, marker="D", color=PALETTE["vermillion"], zorder=3,
               label=institution_id)
    ax.set_xscale("log")
    ax.set_yscale("log")
    spread = max(float(np.nanmax(np.abs(np.log(data[["efficiency_change", "technical_change"]].to_numpy())))) * 1.15, 0.05)
    ax.set_xlim(np.exp(-spread), np.exp(spread))
    ax.set_ylim(np.exp(-spread), np.exp(spread))
    ax.axvline(1, color=PALETTE["ink"], linewidth=0.8)
    ax.axhline(1, color=PALETTE["ink"], linewidth=0.8)
    ax.minorticks_off()
    ticks = np.exp(np.linspace(-spread, spread, 5))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_ticks(ticks, [f"{t:.2f}" for t in ticks])
    corner = {"catch_up_frontier_up": (0.98, 0.97, "right", "top"), "fall_behind_frontier_up": (0.02, 0.97, "left", "top"),
              "catch_up_frontier_down": (0.98, 0.03, "right", "bottom"), "fall_behind_frontier_down": (0.02, 0.03, "left", "bottom")}
    for key, (x, y, ha, va) in corner.items():
        ax.text(x, y, labels[key], transform=ax.transAxes, ha=ha, va=va, fontsize=7.5, color=PALETTE["grey"])
    ax.set_xlabel(labels["x"])
    ax.set_ylabel(labels["y"])
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=3, fontsize=8)
    ax.set_title(title)
    return fig


def benefits_bars(table: pd.DataFrame, names: list[str], language: str, title: str, labels: tuple[str, str]) -> Figure:
    """Planned and realised benefit to date by initiative, in one money unit
    chosen by magnitude."""
    fig, ax = _figure(1.2 + 0.42 * len(table), language)
    scale = money_scale(np.r_[table["planned_to_date"], table["realised_to_date"]], language)
    y = np.arange(len(table))[::-1]
    ax.barh(y + 0.19, table["planned_to_date"] / scale.divisor, height=0.36, color=PALETTE["light"], edgecolor=PALETTE["grey"],
            label=labels[0])
    ax.barh(y - 0.19, table["realised_to_date"] / scale.divisor, height=0.36, color=PALETTE["green"], label=labels[1])
    ax.set_yticks(y, [_wrap_label(n, language) for n in names])
    ax.set_xlabel(scale.unit)
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / len(table)), ncols=2, fontsize=8)
    ax.set_title(title)
    return fig


def s_curve(evm: pd.DataFrame, bac: float, language: str, title: str, labels: tuple[str, str, str, str]) -> Figure:
    """Cumulative planned value, earned value and actual cost by period
    in one money unit chosen by magnitude, with the budget at completion."""
    fig, ax = _figure(2.8, language)
    values = evm[["planned_value", "earned_value", "actual_cost"]].to_numpy(float)
    scale = money_scale(np.r_[values.ravel(), bac], language)
    x = np.arange(len(evm))
    ax.plot(x, evm["planned_value"] / scale.divisor, color=PALETTE["grey"], linestyle="--", marker="o", label=labels[0])
    ax.plot(x, evm["earned_value"] / scale.divisor, color=PALETTE["blue"], marker="o", linewidth=2, label=labels[1])
    ax.plot(x, evm["actual_cost"] / scale.divisor, color=PALETTE["vermillion"], marker="s", label=labels[2])
    ax.axhline(bac / scale.divisor, color=PALETTE["ink"], linewidth=0.8)
    ax.text(0, bac / scale.divisor, labels[3], va="bottom", fontsize=8)
    ax.set_xticks(x, evm["period"].tolist())
    ax.set_ylabel(scale.unit)
    ax.set_ylim(0, max(float(np.nanmax(values)), bac) / scale.divisor * 1.15)
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    ax.set_title(title)
    return fig
