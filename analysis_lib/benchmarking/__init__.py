"""Where the institution stands: peer percentiles and dimension scores
(``positioning``), frontier efficiency by DEA and SFA (``dea``, ``sfa``,
``frontier``), productivity change between periods (``malmquist``) and
size-adjusted expectations (``expectation``).

Takes: a :class:`~analysis_lib.intake.Panel` and the baselines. Gives:
:class:`Positioning`, DEA/SFA results, frontier efficiency per institution,
the peers to learn from.

``dea`` and ``sfa`` are modules here: ``from analysis_lib.benchmarking
import dea`` then ``dea.dea(...)``, or ``from analysis_lib.benchmarking.dea
import dea``.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "dea": ("RTS", "ORIENTATIONS", "DEAResult", "super_efficiency", "cost_efficiency", "efficiency_summary"),
    "expectation": ("MIN_OBSERVATIONS", "Expectation", "size_adjusted", "expectations_for"),
    "frontier": ("FRONTIER_INPUTS", "FRONTIER_OUTPUTS", "frontier_data", "frontier_efficiency", "cached_frontier_efficiency", "learning_peers"),
    "malmquist": ("MalmquistResult", "malmquist"),
    "positioning": (
        "MIN_PEERS", "RAG_THRESHOLDS", "Positioning", "baseline_level", "percentile_against", "default_weights", "position_panel",
        "positioning_summary",
    ),
    "sfa": ("KINDS", "SFAResult"),
})
