"""What every analysis is measured against: the metric catalog (each KPI's
direction, unit, dimension and labels), the industry baselines by peer group
(quantiles with source, year and confidence) and the synthetic sample panel.

Takes: the tables in ``data/``. Gives: :class:`MetricCatalog`, baseline
quantiles, peer groups and size fields, the sample panel.
"""

from analysis_lib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "baselines": ("QUANTILE_COLUMNS", "QUANTILE_LEVELS", "CONFIDENCE_LEVELS", "FALLBACK_GROUP", "load_baselines", "baseline_quantiles"),
    "catalog": (
        "DIMENSIONS", "DIMENSION_LABELS", "DIRECTIONS", "UNITS", "LANGUAGES", "data_dir", "MetricCatalog", "normalise_header", "load_catalog",
        "load_size_fields", "load_peer_groups",
    ),
    "sample": (
        "SAMPLE_SEED", "LATENT_WEIGHT", "ID_PREFIX", "PINNED", "WHOLE_NUMBER_METRICS", "quantile_function", "synthetic_name", "localised_name",
        "generate_sample_panel", "write_sample_panel",
    ),
})
