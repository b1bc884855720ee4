"""What every diagnostic of one panel shares: the validated panel, its
latest period, every institution's positioning against its own peer group,
the frontier, the size-adjusted expectation fits and the data-quality
scores. They depend on the panel file alone, so a process computes them
once per panel content (keyed by the file's path and SHA-256: a changed
file is read again) and every report of the panel reuses them.

A batch's warm kernel server computes them before it forks the first
kernel (:func:`prime`), so that each report's kernel starts with them in
memory: a kernel then runs only what is particular to its institution.

The results are shared, not copied: callers read them and never change
them in place (the diagnostic copies what it adapts, such as a panel with
another peer group; a test checks that a report leaves them as they were).
"""

from __future__ import annotations

from collections import OrderedDict
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis_lib.benchmarking.expectation import Expectation, size_adjusted_fits
from analysis_lib.benchmarking.frontier import cached_frontier_efficiency
from analysis_lib.benchmarking.positioning import Positioning, position_panel
from analysis_lib.intake.panel import Panel, ValidationReport, file_sha256, validate_panel_file
from analysis_lib.intake.quality import quality_scores
from analysis_lib.reference.catalog import load_catalog

KEPT = 2
"""Panels whose results a process keeps (the most recently used)."""

_RESULTS: OrderedDict[tuple[str, str], PanelResults] = OrderedDict()


class PanelResults:
    """Results that depend on the panel alone (see the module docstring):
    the validation at once, each analysis when first asked for (after the
    diagnostic has checked that the panel can be analysed)."""

    def __init__(self, validation: ValidationReport) -> None:
        self.validation = validation

    @property
    def panel(self) -> Panel:
        assert self.validation.panel is not None
        return self.validation.panel

    @cached_property
    def latest(self) -> Panel:
        """The latest period of every institution (``Panel.latest()``)."""
        return self.panel.latest()

    @cached_property
    def positioning(self) -> Positioning:
        """Every institution against its own peer group (fallback: all banks)."""
        return position_panel(self.latest.data.copy(), load_catalog(), fallback="all_banks")

    @cached_property
    def frontier(self) -> pd.DataFrame:
        return cached_frontier_efficiency(self.latest.data, self.panel.sha256)

    @cached_property
    def expectations(self) -> dict[str, Expectation | str]:
        """Size-adjusted fit of each key metric, or why there is none."""
        return size_adjusted_fits(self.latest.data, load_catalog().key_metrics())

    @cached_property
    def quality(self) -> pd.DataFrame:
        return quality_scores(self.panel.data)

    def compute(self) -> PanelResults:
        """Every result now (what :func:`prime` does)."""
        for name in ANALYSES:
            getattr(self, name)
        return self


ANALYSES = ("latest", "positioning", "frontier", "expectations", "quality")


def panel_results(path: str | Path) -> PanelResults:
    """The shared results of the panel file at ``path``, computed on first
    use. The panel may have errors (the diagnostic says which institutions
    they leave out, before it asks for any analysis); a file that cannot be
    read at all raises as :func:`~analysis_lib.intake.panel.validate_panel_file` does.

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> shared = panel_results(data_dir() / "sample" / "institutions.csv")
    >>> shared is panel_results(data_dir() / "sample" / "institutions.csv")
    True
    >>> "CITY-02" in shared.frontier.index
    True
    """
    key = (str(Path(path).resolve()), file_sha256(path))
    if key in _RESULTS:
        _RESULTS.move_to_end(key)
        return _RESULTS[key]
    results = PanelResults(validate_panel_file(path))
    _RESULTS[key] = results
    while len(_RESULTS) > KEPT:
        _RESULTS.popitem(last=False)
    return results


def prime(paths: list[str] | tuple[str, ...]) -> list[str]:
    """Compute the shared results of each panel file in ``paths`` now (a
    batch's warm kernel server, before it forks kernels). A panel that
    cannot be analysed is skipped: each report then says why itself.
    Returns the paths primed.

    Examples
    --------
    >>> from analysis_lib.reference.catalog import data_dir
    >>> prime([str(data_dir() / "sample" / "institutions.csv"), "/nonexistent.csv"])  # doctest: +ELLIPSIS
    ['.../sample/institutions.csv']
    """
    primed = []
    for path in paths:
        try:
            panel_results(path).compute()
        except Exception:  # the report that reads this panel reports the problem
            continue
        primed.append(path)
    return primed
