"""Charts of the portfolio summary, in the client report's house style
(:mod:`analysis_lib.report.charts`): functions that take the portfolio's
results and return a matplotlib ``Figure``; they draw what they are given
and compute nothing. Every chart reads the same at 20 institutions and at
1,000 (small markers, labels only for the first wave).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from analysis_lib.batch.portfolio_text import t
from analysis_lib.reference.catalog import DIMENSIONS
from analysis_lib.report.charts import PALETTE, WIDTH, apply_style
from analysis_lib.report.text import dimension_label, money_scale, peer_group_label


def _figure(height: float, language: str, ncols: int = 1, **kwargs):
    import matplotlib.pyplot as plt

    apply_style(language)
    return plt.subplots(1, ncols, figsize=(WIDTH, height), **kwargs)


def prioritisation_matrix(points: pd.DataFrame, language: str) -> Figure:
    """Value at stake a year (log scale) against the probability of a
    positive NPV; quadrants split at the median value and 50%, labelled.

    ``points`` has ``value_at_stake, prob_npv_positive, ready`` (data carry a
    decision), ``in_wave`` and ``wave_rank`` (the first wave's numbers).

    Examples
    --------
    >>> points = pd.DataFrame({"value_at_stake": [2e8, 5e7, 9e8], "prob_npv_positive": [0.9, 0.2, 0.7], "ready": [True, False, True],
    ...                        "in_wave": [True, False, False], "wave_rank": [1, None, 2]})
    >>> len(prioritisation_matrix(points, "en").axes[0].collections)
    3
    """
    data = points[points["value_at_stake"] > 0].dropna(subset=["prob_npv_positive"])
    fig, ax = _figure(3.9, language)
    scale = money_scale(data["value_at_stake"], language)
    y = data["value_at_stake"] / scale.divisor
    x = data["prob_npv_positive"] * 100
    size = 26 if len(data) <= 100 else 9
    ready = data["ready"].astype(bool)
    if ready.any():
        ax.scatter(x[ready], y[ready], s=size, color=PALETTE["blue"], alpha=0.8, label=t("ready_legend", language), zorder=2)
    if (~ready).any():
        ax.scatter(x[~ready], y[~ready], s=size, facecolor="white", edgecolor=PALETTE["grey"], linewidth=0.8, label=t("data_legend", language),
                   zorder=2)
    wave = data[data["in_wave"].astype(bool)]
    ax.scatter(wave["prob_npv_positive"] * 100, wave["value_at_stake"] / scale.divisor, s=120, facecolor="none", edgecolor=PALETTE["vermillion"],
               linewidth=1.6, label=t("first_wave_legend", language), zorder=3)
    for _, row in wave.iterrows():
        ax.annotate(str(int(row["wave_rank"])), (row["prob_npv_positive"] * 100, row["value_at_stake"] / scale.divisor), xytext=(6, 4),
                    textcoords="offset points", fontsize=8, color=PALETTE["vermillion"], fontweight="bold")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.{max(0, -int(np.floor(np.log10(v))))}f}" if v > 0 else ""))
    median = float(np.median(y)) if len(y) else 1.0
    ax.axhline(median, color=PALETTE["ink"], linewidth=0.8, linestyle="--")
    ax.axvline(50, color=PALETTE["ink"], linewidth=0.8, linestyle="--")
    ax.set_xlim(-4, 104)
    low, high = (float(y.min()), float(y.max())) if len(y) else (0.1, 10.0)
    ax.set_ylim(low / 2.5, high * 4)
    corner = {"q_first": (0.98, 0.98, "right", "top"), "q_rescope": (0.02, 0.98, "left", "top"),
              "q_follow": (0.98, 0.02, "right", "bottom"), "q_monitor": (0.02, 0.02, "left", "bottom")}
    for key, (cx, cy, ha, va) in corner.items():
        ax.text(cx, cy, t(key, language), transform=ax.transAxes, ha=ha, va=va, fontsize=7.5, color=PALETTE["ink"],
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5})
    ax.set_xlabel(t("x_axis", language))
    ax.set_ylabel(t("value_at_stake", language, unit=scale.unit))
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, fontsize=8)
    ax.set_title(_matrix_title(language))
    return fig


def _matrix_title(language: str) -> str:
    return "优先级矩阵：价值空间与项目成熟度" if language == "zh" else "Prioritisation matrix: value at stake against readiness of the case"


def concentration_curve(curve: pd.Series, top_count: int, top_share: float, language: str) -> Figure:
    """Cumulative share of value at stake, institutions from the largest;
    the top 10% marked."""
    fig, ax = _figure(2.7, language)
    n = len(curve)
    x = np.r_[0.0, np.arange(1, n + 1) / max(n, 1) * 100]
    y = np.r_[0.0, curve.to_numpy(float) * 100]
    ax.plot(x, y, color=PALETTE["blue"], linewidth=1.8, drawstyle="steps-post" if n <= 60 else "default")
    ax.plot([0, 100], [0, 100], color=PALETTE["grey"], linestyle=":", linewidth=1, label=t("curve_even", language))
    if n:
        mark = top_count / n * 100
        ax.scatter([mark], [top_share * 100], s=40, color=PALETTE["vermillion"], zorder=3)
        ax.annotate(t("curve_top", language, count=top_count, share=f"{top_share * 100:.0f}%"), (mark, top_share * 100), xytext=(10, -14),
                    textcoords="offset points",
                    fontsize=8.5, color=PALETTE["vermillion"])
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 102)
    ax.set_xlabel(t("curve_x", language))
    ax.set_ylabel(t("curve_y", language))
    ax.legend(frameon=False, loc="lower right")
    ax.set_title(t("concentration_curve", language))
    return fig


def peer_group_distributions(summaries: pd.DataFrame, language: str) -> Figure:
    """Small multiples: each dimension score and the overall score by peer
    group (box plots; the dots are the institutions when there are few)."""
    import matplotlib.pyplot as plt

    apply_style(language)
    groups = list(summaries.groupby("peer_group")["score_overall"].median().sort_values(ascending=False).index)
    panels = ["overall", *DIMENSIONS]
    fig, axes = plt.subplots(2, 4, figsize=(WIDTH, 4.6), sharey=True)
    rng = np.random.default_rng(0)
    labels = [peer_group_label(g, language) for g in groups]
    for ax, dim in zip(axes.ravel(), panels):
        column = "score_overall" if dim == "overall" else f"score_{dim}"
        data = [summaries.loc[summaries["peer_group"] == g, column].dropna().to_numpy() for g in groups]
        ax.boxplot(data, orientation="horizontal", widths=0.6, showfliers=False, patch_artist=True,
                   boxprops={"facecolor": PALETTE["light"], "edgecolor": PALETTE["grey"]}, medianprops={"color": PALETTE["ink"]})
        if len(summaries) <= 200:
            for i, values in enumerate(data, start=1):
                ax.scatter(values, i + rng.uniform(-0.15, 0.15, len(values)), s=6, color=PALETTE["blue"], alpha=0.6, zorder=3)
        ax.axvline(50, color=PALETTE["grey"], linewidth=0.6, linestyle=":")
        ax.set_xlim(0, 100)
        ax.set_xticks([0, 50, 100])
        ax.set_title("综合" if dim == "overall" and language == "zh" else "Overall" if dim == "overall" else dimension_label(dim, language),
                     fontsize=8.5)
        ax.grid(axis="y", visible=False)
    axes[0, 0].set_yticks(range(1, len(groups) + 1), labels, fontsize=7.5)
    axes[1, 0].set_yticks(range(1, len(groups) + 1), labels, fontsize=7.5)
    axes[0, 0].invert_yaxis()
    axes.ravel()[-1].set_visible(len(panels) > 7)
    fig.suptitle(t("score_short", language), fontsize=10.5, fontweight="bold")
    return fig


def cluster_profiles(profiles: pd.DataFrame, silhouettes: pd.Series, k: int, language: str) -> Figure:
    """Mean dimension scores of each cluster (heat map, numbers in the
    cells) and the mean silhouette by number of clusters (the chosen one
    marked)."""
    import matplotlib.pyplot as plt

    apply_style(language)
    height = max(2.4, 0.42 * len(profiles) + 1.4)
    fig, (heat, sil) = plt.subplots(1, 2, figsize=(WIDTH, height), width_ratios=[3.2, 1.3])
    values = profiles[[f"score_{d}" for d in DIMENSIONS]].to_numpy(float)
    heat.imshow(values, cmap="RdYlBu", vmin=0, vmax=100, aspect="auto")
    heat.grid(False)
    for (i, j), v in np.ndenumerate(values):
        heat.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=8, color=PALETTE["ink"])
    heat.set_xticks(range(len(DIMENSIONS)), [dimension_label(d, language) for d in DIMENSIONS], fontsize=8, rotation=30 if language == "en" else 0,
                    ha="right" if language == "en" else "center")
    cluster_word = t("cluster", language)
    heat.set_yticks(range(len(profiles)), [f"{cluster_word} {c}（{int(n)}家）" if language == "zh" else f"{cluster_word} {c} (n = {int(n)})"
                                           for c, n in zip(profiles.index, profiles["institutions"])], fontsize=8)
    heat.set_title(t("profile_title", language))
    sil.plot(silhouettes.index, silhouettes.to_numpy(float), color=PALETTE["blue"], marker="o", markersize=4)
    sil.scatter([k], [silhouettes[k]], s=70, facecolor="none", edgecolor=PALETTE["vermillion"], linewidth=1.6, zorder=3)
    sil.set_xticks(list(silhouettes.index))
    sil.set_xlabel(t("clusters_axis", language))
    sil.set_ylabel(t("silhouette_axis", language))
    sil.set_title(t("silhouette_title", language), fontsize=8.5, wrap=True)
    return fig


def score_changes(table: pd.DataFrame, language: str) -> Figure:
    """Progress reviews: overall score at the baseline against the review
    period, one dot per institution; above the diagonal is improvement."""
    fig, ax = _figure(3.2, language)
    ax.scatter(table["score_overall_baseline"], table["score_overall_review"], s=22 if len(table) <= 100 else 8, color=PALETTE["blue"],
               alpha=0.8)
    ax.plot([0, 100], [0, 100], color=PALETTE["grey"], linestyle=":", linewidth=1)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel(t("score_baseline", language))
    ax.set_ylabel(t("score_review", language))
    ax.set_title(t("score_change", language))
    return fig
