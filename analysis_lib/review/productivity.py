"""Productivity change of the CRM production model since the diagnosis: the
Malmquist index (FGNZ, :func:`analysis_lib.benchmarking.malmquist.malmquist`)
on the inputs and outputs of :func:`analysis_lib.benchmarking.frontier.frontier_data`
(CRM cost and employees for customers and revenue), every institution of the
panel forming each period's technology.

M > 1 is productivity growth; it splits into efficiency change EC (catching
up with the frontier) and technical change TC (the frontier moving).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.frontier import FRONTIER_INPUTS, FRONTIER_OUTPUTS, frontier_data
from analysis_lib.benchmarking.malmquist import INDEX_COLUMNS, malmquist
from analysis_lib.intake.panel import Panel


@dataclass(frozen=True)
class ProductivityChange:
    """Malmquist results for a review.

    Attributes
    ----------
    adjacent : pandas.DataFrame
        The institution's index for each pair of adjacent periods, and a
        last row ``cumulative`` (baseline → review: the product).
    across : pandas.DataFrame
        Every institution baseline → review (fixed base): ``unit,
        peer_group`` and the index columns (for the EC × TC quadrant).
    peers : pandas.Series
        Geometric means of the index columns over the institution's peer
        group (baseline → review).
    notes : tuple of str
    """

    adjacent: pd.DataFrame
    across: pd.DataFrame
    peers: pd.Series
    notes: tuple[str, ...]


def frontier_panel(panel: Panel, periods: list[str]) -> pd.DataFrame:
    """Long table ``institution_id, period`` + frontier inputs and outputs
    for the given periods (institutions missing one are left out of that
    period)."""
    frames = []
    for period in periods:
        data = frontier_data(panel.at(period).data).reset_index()
        frames.append(data.assign(period=period))
    return pd.concat(frames, ignore_index=True)


def productivity_change(panel: Panel, institution_id: str, periods: list[str]) -> ProductivityChange:
    """Malmquist productivity change of one institution and of the panel
    between the first and last of ``periods``.

    Examples
    --------
    >>> from analysis_lib.intake.panel import load_panel
    >>> from analysis_lib.reference.catalog import data_dir
    >>> panel = load_panel(data_dir() / "sample" / "institutions_history.csv")
    >>> change = productivity_change(panel, "CITY-02", ["2023", "2024", "2025"])
    >>> list(change.adjacent.index)
    ['2023→2024', '2024→2025', 'cumulative']
    """
    long = frontier_panel(panel, periods)
    inputs, outputs = list(FRONTIER_INPUTS), list(FRONTIER_OUTPUTS)
    columns = list(INDEX_COLUMNS)
    adjacent = malmquist(long, inputs, outputs, unit="institution_id", period="period").to_frame()
    own = adjacent[adjacent["unit"] == institution_id]
    table = own.set_index(own["period_from"] + "→" + own["period_to"])[columns]
    table.loc["cumulative"] = table.prod(skipna=False) if len(table) else np.nan
    fixed = malmquist(long, inputs, outputs, unit="institution_id", period="period", base="fixed", base_period=periods[0])
    across = fixed.to_frame()
    across = across[across["period_to"] == periods[-1]].drop(columns=["period_from", "period_to"])
    groups = panel.at(periods[-1]).data.set_index("institution_id")["peer_group"]
    across["peer_group"] = across["unit"].map(groups)
    group = groups.get(institution_id)
    peers = across[(across["peer_group"] == group) & (across["unit"] != institution_id)][columns]
    peer_means = np.exp(np.log(peers.astype(float)).mean()) if len(peers) else pd.Series(np.nan, index=columns)
    return ProductivityChange(table, across.reset_index(drop=True), peer_means, fixed.notes)
