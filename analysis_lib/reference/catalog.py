"""The metric catalog: the single source of truth for every KPI's dimension,
unit, direction, valid range and labels, plus the panel's size fields and the
peer groups.

Every other module reads direction, unit and labels from here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from analysis_lib.errors import InputDataError

if TYPE_CHECKING:  # pandas is imported when a table is read: the paths and names here stay cheap to import
    import pandas as pd

DIMENSIONS: tuple[str, ...] = (
    "cost",
    "efficiency",
    "value",
    "compliance",
    "experience",
    "extension",
)
"""The six dimensions of the KPI system, in report order."""

DIMENSION_LABELS: dict[str, dict[str, str]] = {
    "cost": {"en": "Cost", "zh": "成本"},
    "efficiency": {"en": "Efficiency", "zh": "效率"},
    "value": {"en": "Customer value", "zh": "客户价值"},
    "compliance": {"en": "Compliance", "zh": "合规"},
    "experience": {"en": "Experience", "zh": "客户体验"},
    "extension": {"en": "Extension", "zh": "开放扩展能力"},
}

DIRECTIONS = ("higher_better", "lower_better")
UNITS = ("ratio", "CNY", "count", "hours", "minutes", "days", "score")
UNIT_LABELS: dict[str, dict[str, str]] = {
    "ratio": {"en": "%", "zh": "%"}, "CNY": {"en": "CNY", "zh": "元"}, "count": {"en": "count", "zh": "个"},
    "hours": {"en": "hours", "zh": "小时"}, "minutes": {"en": "minutes", "zh": "分钟"}, "days": {"en": "days", "zh": "天"},
    "score": {"en": "score", "zh": "分"},
}
"""Every unit's label in each language, as a table's unit column shows it
(a score's label also gives its scale: :meth:`MetricCatalog.unit_label`)."""
LANGUAGES = ("en", "zh")

_CATALOG_COLUMNS = [
    "metric_id",
    "label_en",
    "label_zh",
    "dimension",
    "unit",
    "direction",
    "min",
    "max",
    "decimals",
    "key_metric",
    "description",
]


def data_dir() -> Path:
    """Directory holding the reference data (catalog, baselines, sample panel).

    ``$CRM_DIAG_DATA`` overrides the default, the ``data/`` folder of the
    repository this package sits in.

    Examples
    --------
    >>> (data_dir() / "metrics.csv").is_file()
    True
    """
    override = os.environ.get("CRM_DIAG_DATA")
    return Path(override) if override else _REPOSITORY_DATA


_REPOSITORY_DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class MetricCatalog:
    """The validated metric catalog.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per KPI, indexed by ``metric_id``, with typed columns
        ``label_en, label_zh, dimension, unit, direction, min, max, decimals,
        key_metric, description``.
    """

    table: pd.DataFrame

    @property
    def ids(self) -> list[str]:
        """Metric ids in catalog order."""
        return list(self.table.index)

    def __len__(self) -> int:
        return len(self.table)

    def __contains__(self, metric_id: object) -> bool:
        return metric_id in self.table.index

    def label(self, metric_id: str, language: str = "en") -> str:
        """Label of a metric in ``language`` (``"en"`` or ``"zh"``)."""
        _check_language(language)
        return str(self.table.at[metric_id, f"label_{language}"])

    def unit_label(self, metric_id: str, language: str = "en", scale: bool = True) -> str:
        """The unit of a metric as a table's unit column shows it, in
        ``language``: every metric has one (a count is a count, a score
        gives its scale from the metric's valid range).

        Examples
        --------
        >>> catalog = load_catalog()
        >>> catalog.unit_label("customer_satisfaction"), catalog.unit_label("nps"), catalog.unit_label("nps", "zh")
        ('score (0–100)', 'score (−100 to 100)', '分（−100至100）')
        >>> catalog.unit_label("crm_systems_count", "zh"), catalog.unit_label("customers_per_rm", "zh"), catalog.unit_label("cost_to_income")
        ('套', '户', '%')
        >>> catalog.unit_label("nps", "zh", scale=False)
        '分'

        A count is labelled in Chinese by the measure word of what is counted
        (the catalog's ``measure_word_zh``: 套 systems, 户 customers, 件
        complaints; 个 where none is given). ``scale=False`` leaves out a
        score's scale (for a chart's panel title).
        """
        _check_language(language)
        unit = str(self.table.at[metric_id, "unit"])
        label = UNIT_LABELS[unit][language]
        if unit == "count" and language == "zh":
            return str(self.table.at[metric_id, "measure_word_zh"]) or label
        if unit != "score" or not scale:
            return label
        low, high = (_number(self.table.at[metric_id, bound]) for bound in ("min", "max"))
        if language == "zh":
            return f"{label}（{low}–{high}）" if not low.startswith("−") else f"{label}（{low}至{high}）"
        return f"{label} ({low}–{high})" if not low.startswith("−") else f"{label} ({low} to {high})"

    def lower_is_better(self) -> pd.Series:
        """Boolean Series, True where a lower value is better."""
        return self.table["direction"].eq("lower_better")

    def sign(self) -> pd.Series:
        """+1 where higher is better, -1 where lower is better."""
        return self.lower_is_better().map({True: -1.0, False: 1.0})

    def in_dimension(self, dimension: str) -> list[str]:
        """Metric ids of one dimension, in catalog order."""
        return list(self.table.index[self.table["dimension"] == dimension])

    def key_metrics(self) -> list[str]:
        """Metric ids flagged as key metrics (shown first in reports)."""
        return list(self.table.index[self.table["key_metric"]])

    def header_aliases(self) -> dict[str, str]:
        """Map every accepted column header (id, English or Chinese label,
        the catalog's ``aliases`` such as a former label; normalised) to its
        metric id.

        Examples
        --------
        >>> catalog = load_catalog()
        >>> former = catalog.table.at["retention_mass", "aliases"][0]  # the Chinese label of an earlier catalog
        >>> aliases = catalog.header_aliases()
        >>> aliases["大众客户留存率"], aliases[former], aliases["mass-market customer retention"]
        ('retention_mass', 'retention_mass', 'retention_mass')
        """
        aliases: dict[str, str] = {}
        for metric_id, row in self.table.iterrows():
            for name in (metric_id, row["label_en"], row["label_zh"], *row["aliases"]):
                aliases[normalise_header(name)] = str(metric_id)
        return aliases


def normalise_header(name: object) -> str:
    """Normalise a column header for matching: NFKC, trimmed, lower case,
    inner white space folded.

    Examples
    --------
    >>> normalise_header("  Cost-to-income  ratio ")
    'cost-to-income ratio'
    """
    import unicodedata

    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return " ".join(text.split())


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise InputDataError(f"language must be one of {LANGUAGES}, got {language!r}")


def _read_reference_csv(name: str) -> pd.DataFrame:
    import pandas as pd

    path = data_dir() / name
    try:
        return pd.read_csv(path, encoding="utf-8", keep_default_na=False, na_values=[""])
    except FileNotFoundError as exc:
        raise InputDataError(f"{path}: reference table not found") from exc


def _require(condition: bool, path: str, message: str) -> None:
    if not condition:
        raise InputDataError(f"{path}: {message}")


@lru_cache(maxsize=4)
def _load_catalog(directory: str) -> MetricCatalog:
    table = _read_reference_csv("metrics.csv")
    src = "data/metrics.csv"
    missing = [c for c in _CATALOG_COLUMNS if c not in table.columns]
    _require(not missing, src, f"missing columns {missing}")
    _require(table["metric_id"].is_unique, src, "metric_id must be unique")
    for column, allowed in (("dimension", DIMENSIONS), ("direction", DIRECTIONS), ("unit", UNITS)):
        bad = sorted(set(table[column]) - set(allowed))
        _require(not bad, src, f"column {column} has {bad}; expected one of {allowed}")
    table["min"] = table["min"].astype(float)
    table["max"] = table["max"].astype(float)
    _require(bool((table["min"] < table["max"]).all()), src, "min must be below max on every row")
    table["decimals"] = table["decimals"].astype(int)
    table["key_metric"] = table["key_metric"].astype(str).str.lower().eq("true")
    for column in ("label_en", "label_zh", "description"):
        _require(bool(table[column].astype(str).str.strip().ne("").all()), src, f"{column} is empty somewhere")
    if "measure_word_zh" not in table.columns:  # optional: counts then read 个
        table["measure_word_zh"] = ""
    words = table["measure_word_zh"].fillna("").astype(str).str.strip()
    misplaced = table.loc[words.ne("") & table["unit"].ne("count"), "metric_id"].tolist()
    _require(not misplaced, src, f"measure_word_zh is for count metrics only; {misplaced} are not counts")
    table["measure_word_zh"] = words
    if "aliases" not in table.columns:  # optional: other headers a client file may use, separated by ";"
        table["aliases"] = ""
    table["aliases"] = [tuple(a.strip() for a in str(v).split(";") if a.strip()) if isinstance(v, str) else () for v in table["aliases"]]
    return MetricCatalog(table.set_index("metric_id"))


def _number(value: float) -> str:
    """A scale's bound as printed: whole numbers without decimals, a true minus sign."""
    text = f"{value:g}"
    return "−" + text[1:] if text.startswith("-") else text


def load_catalog() -> MetricCatalog:
    """Load and validate the metric catalog ``data/metrics.csv``.

    Returns
    -------
    MetricCatalog
        The typed catalog; raises :class:`InputDataError` when the file breaks
        an invariant (unknown dimension, direction or unit, ``min >= max``,
        duplicate ids, empty labels).

    Examples
    --------
    >>> catalog = load_catalog()
    >>> catalog.table.at["cost_to_income", "direction"]
    'lower_better'
    >>> catalog.label("cost_to_income", "zh")
    '成本收入比'
    """
    return _load_catalog(str(data_dir()))


@lru_cache(maxsize=4)
def _load_size_fields(directory: str) -> pd.DataFrame:
    table = _read_reference_csv("size_fields.csv")
    table["min"] = table["min"].astype(float)
    table["max"] = table["max"].astype(float)
    table["required"] = table["required"].astype(str).str.lower().eq("true")
    return table.set_index("field_id")


def load_size_fields() -> pd.DataFrame:
    """Size fields of the panel (total assets, revenue, customers, …), indexed
    by ``field_id`` with labels, unit, valid range and whether required.

    Examples
    --------
    >>> load_size_fields().loc["revenue", "unit"]
    'CNY'
    """
    return _load_size_fields(str(data_dir()))


@lru_cache(maxsize=4)
def _load_peer_groups(directory: str) -> pd.DataFrame:
    return _read_reference_csv("peer_groups.csv").set_index("peer_group")


def load_peer_groups() -> pd.DataFrame:
    """Peer groups with English and Chinese labels, indexed by ``peer_group``.

    ``all_banks`` is the reference used when a group is too small.

    Examples
    --------
    >>> "rural_commercial" in load_peer_groups().index
    True
    """
    return _load_peer_groups(str(data_dir()))
