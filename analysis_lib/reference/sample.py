"""The synthetic sample panel: a deterministic generator that draws plausible
institutions from the baselines, for demos and tests.

Every institution carries ``is_synthetic = true``. A latent quality factor per
institution correlates its metrics (a well-run bank tends to be good on most
of them); a few institutions are pinned far in the good or bad tail so that
reports have something to say about them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analysis_lib.reference.baselines import QUANTILE_COLUMNS, QUANTILE_LEVELS, baseline_quantiles
from analysis_lib.reference.catalog import data_dir, load_catalog, load_peer_groups, load_size_fields

SAMPLE_SEED = 20260101
LATENT_WEIGHT = 0.6
ID_PREFIX = {
    "large_state_owned": "SOB",
    "joint_stock": "JSB",
    "city_commercial": "CITY",
    "rural_commercial": "RURAL",
    "foreign": "FRGN",
}
PINNED: dict[str, float] = {"JSB-01": 2.4, "CITY-01": 2.4, "CITY-02": -1.8, "RURAL-01": 2.2, "RURAL-02": -1.5}
"""Institutions pinned in a tail of the latent quality factor (z-score)."""
WHOLE_NUMBER_METRICS = frozenset({"crm_systems_count", "open_api_integrations", "customers_per_rm"})
TCO_SPREAD = 0.04
"""Log standard deviation of TCO per customer × customers around the CRM
cost (the two measure the same money under slightly different definitions),
clipped to ±10% so every institution passes the ±15% consistency rule."""
ACQUISITION_SHARE = (0.25, 0.85)
"""Range of paid acquisition spend as a share of the CRM cost from which each
institution's ``new_customers`` is derived."""
CLV_TO_CAC = (1.5, 18.0)
"""Range of customer lifetime value over the blended acquisition cost the
sample keeps to (inside the 1–20× of the data-quality rules): a bank that
pays more to win a customer than the customer is worth, or acquires at a
twentieth of the value, is not a credible sample bank."""


def quantile_function(quantiles: np.ndarray, levels: np.ndarray, low: float, high: float) -> np.ndarray:
    """Inverse CDF through the baseline quantiles, evaluated at ``levels``.

    Piecewise linear between (0.10, p10) … (0.90, p90), extended linearly to
    the tails with the slope of the outer segments and clipped to the
    catalog's valid range.

    Examples
    --------
    >>> float(quantile_function(np.array([1, 2, 3, 4, 5.0]), np.array([0.5]), 0, 10)[0])
    3.0
    """
    x = np.asarray(QUANTILE_LEVELS)
    inner = np.interp(levels, x, quantiles)
    slope_low = (quantiles[1] - quantiles[0]) / (x[1] - x[0])
    slope_high = (quantiles[-1] - quantiles[-2]) / (x[-1] - x[-2])
    values = np.where(levels < x[0], quantiles[0] - slope_low * (x[0] - levels), inner)
    values = np.where(levels > x[-1], quantiles[-1] + slope_high * (levels - x[-1]), values)
    return np.clip(values, low, high)


def _sizes(rng: np.random.Generator, profile: pd.Series, count: int) -> pd.DataFrame:
    assets = profile["total_assets_p50"] * np.exp(profile["assets_dispersion"] * rng.standard_normal(count))
    revenue = assets * profile["revenue_to_assets"] * np.exp(0.1 * rng.standard_normal(count))
    customers = revenue / 1e6 * profile["customers_per_revenue_m"] * np.exp(0.2 * rng.standard_normal(count))
    employees = assets / 1e9 * profile["employees_per_bn_assets"] * np.exp(0.15 * rng.standard_normal(count))
    return pd.DataFrame({
        "total_assets": assets.round(-6),
        "revenue": revenue.round(-4),
        "customers": customers.round(),
        "employees": np.maximum(employees.round(), 20),
        "new_customers": (customers * profile["new_customer_rate"]).round(),
        "hnw_customers": (customers * profile["hnw_share"]).round(),
        "customer_records": (customers * profile["records_per_customer"]).round(),
    })


def reconcile_sample(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Derive the fields the consistency rules tie together, so a synthetic
    institution reports one set of facts: TCO per customer from the CRM cost
    (``crm_opex_ratio × revenue / customers``, within ±10%) and paid
    acquisitions (``new_customers``) from a share of the CRM cost
    (:data:`ACQUISITION_SHARE`) divided by the blended acquisition cost,
    after both acquisition costs are scaled (by one factor, so the HNW/mass
    ratio is kept) into :data:`CLV_TO_CAC` of the lifetime value.

    Parameters
    ----------
    frame : pandas.DataFrame
        Sample rows with the size fields and catalog metrics.
    rng : numpy.random.Generator
        The generator's random stream.

    Returns
    -------
    pandas.DataFrame
        ``frame`` with ``tco_per_customer`` and ``new_customers`` replaced.

    Examples
    --------
    >>> row = pd.DataFrame({"revenue": [1e9], "customers": [1e6], "crm_opex_ratio": [0.01], "hnw_customers": [1e4],
    ...                     "acq_cost_hnw": [1e4], "acq_cost_mass": [600.0], "clv_per_customer": [5000.0], "tco_per_customer": [99.0],
    ...                     "new_customers": [0.0]})
    >>> out = reconcile_sample(row, np.random.default_rng(0))
    >>> bool(9 <= out.at[0, "tco_per_customer"] <= 11), bool(0 < out.at[0, "new_customers"] * 694 <= 1e7)
    (True, True)
    >>> float(reconcile_sample(row.assign(acq_cost_mass=12_000.0), np.random.default_rng(0)).at[0, "acq_cost_mass"])
    3339.0
    """
    frame = frame.copy()
    count = len(frame)
    crm_cost = frame["crm_opex_ratio"] * frame["revenue"]
    spread = np.clip(np.exp(TCO_SPREAD * rng.standard_normal(count)), 0.9, 1.1)
    decimals = int(load_catalog().table.at["tco_per_customer", "decimals"])
    frame["tco_per_customer"] = np.round(crm_cost / frame["customers"] * spread, decimals)
    hnw_share = frame["hnw_customers"] / frame["customers"]
    blended = frame["acq_cost_hnw"] * hnw_share + frame["acq_cost_mass"] * (1 - hnw_share)
    if "clv_per_customer" in frame:
        low, high = frame["clv_per_customer"] / CLV_TO_CAC[1], frame["clv_per_customer"] / CLV_TO_CAC[0]
        factor = (blended.clip(low, high) / blended).fillna(1.0)
        frame["acq_cost_hnw"] = np.round(frame["acq_cost_hnw"] * factor)
        frame["acq_cost_mass"] = np.round(frame["acq_cost_mass"] * factor)
        blended = frame["acq_cost_hnw"] * hnw_share + frame["acq_cost_mass"] * (1 - hnw_share)
    share = rng.uniform(*ACQUISITION_SHARE, count)
    frame["new_customers"] = np.floor(crm_cost * share / blended)
    return frame


def synthetic_name(group: str, number: int, language: str = "en") -> str:
    """The name of the sample panel's ``number``-th synthetic institution of a
    peer group, in English (as in the panel) or Chinese.

    Examples
    --------
    >>> synthetic_name("rural_commercial", 2), synthetic_name("rural_commercial", 2, "zh")
    ('Synthetic Rural commercial bank 02', '模拟农村商业银行02')
    """
    labels = load_peer_groups()
    if language == "zh":
        return f"模拟{labels.at[group, 'label_zh']}{number:02d}"
    return f"Synthetic {labels.at[group, 'label_en'].removesuffix('s')} {number:02d}"


def localised_name(name: str, group: str, language: str) -> str:
    """An institution's name for a report in ``language``: the sample panel's
    synthetic names are translated, every other name is shown as given.

    Examples
    --------
    >>> localised_name("Synthetic Rural commercial bank 02", "rural_commercial", "zh")
    '模拟农村商业银行02'
    >>> localised_name("Bank of Ningbo", "city_commercial", "zh")
    'Bank of Ningbo'
    """
    match = re.fullmatch(r"Synthetic .+ (\d{2,})", name)
    if language == "en" or match is None or group not in load_peer_groups().index:
        return name
    number = int(match.group(1))
    return synthetic_name(group, number, language) if synthetic_name(group, number, "en") == name else name


def generate_sample_panel(seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """Generate the synthetic sample panel.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed gives the same panel.

    Returns
    -------
    pandas.DataFrame
        One row per institution: identity, ``is_synthetic``, ``note``, size
        fields and every catalog metric, rounded to the catalog's decimals.

    Examples
    --------
    >>> panel = generate_sample_panel()
    >>> len(panel) >= 60, bool(panel["is_synthetic"].all())
    (True, True)
    """
    rng = np.random.default_rng(seed)
    catalog = load_catalog().table
    profiles = pd.read_csv(data_dir() / "sample" / "size_profile.csv").set_index("peer_group")
    frames = []
    for group, profile in profiles.iterrows():
        count = int(profile["count"])
        ids = [f"{ID_PREFIX[group]}-{i:02d}" for i in range(1, count + 1)]
        latent = rng.standard_normal(count)
        pinned = np.array([PINNED.get(i, np.nan) for i in ids])
        latent = np.where(np.isnan(pinned), latent, pinned)
        frame = pd.DataFrame({
            "institution_id": ids,
            "name": [synthetic_name(group, i, "en") for i in range(1, count + 1)],
            "peer_group": group,
            "is_synthetic": "true",
            "note": ["designed strong performer" if PINNED.get(i, 0) > 0 else "designed weak performer" if PINNED.get(i, 0) < 0 else ""
                     for i in ids],
        })
        frame = pd.concat([frame, _sizes(rng, profile, count)], axis=1)
        quantiles = baseline_quantiles(group)
        for metric_id, info in catalog.iterrows():
            shock = rng.standard_normal(count)
            goodness = ndtr(LATENT_WEIGHT * latent + np.sqrt(1 - LATENT_WEIGHT**2) * shock)
            level = 1 - goodness if info["direction"] == "lower_better" else goodness
            level = np.clip(level, 0.01, 0.99)
            q = quantiles.loc[metric_id, list(QUANTILE_COLUMNS)].to_numpy(float)
            values = quantile_function(q, level, info["min"], info["max"])
            digits = 0 if metric_id in WHOLE_NUMBER_METRICS else int(info["decimals"])
            frame[metric_id] = np.round(values, digits)
        frames.append(reconcile_sample(frame, rng))
    return pd.concat(frames, ignore_index=True)


def write_sample_panel(path: str | Path | None = None, seed: int = SAMPLE_SEED) -> Path:
    """Write the sample panel CSV (UTF-8) and return its path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_sample_panel(pathlib.Path(tempfile.mkdtemp()) / "p.csv")
    >>> out.stat().st_size > 0
    True
    """
    path = Path(path) if path else data_dir() / "sample" / "institutions.csv"
    frame = generate_sample_panel(seed)
    columns = [c for c in frame.columns if c not in load_size_fields().index]
    ordered = columns[:5] + list(load_size_fields().index) + columns[5:]
    frame[ordered].to_csv(path, index=False, encoding="utf-8", float_format="%.10g")
    return path


HISTORY_YEARS = (2021, 2022, 2023, 2024, 2025)
"""Years of the synthetic multi-period panel."""
DIAGNOSIS_YEAR = 2024
"""The year the history's institutions sit at their single-period latent
quality (the year a client would have been diagnosed)."""
INDUSTRY_DRIFT = 0.12
"""Latent improvement of every institution a year (the frontier moves)."""
TRENDS: dict[str, float] = {"CITY-02": 0.8, "RURAL-02": 0.7, "CITY-04": -0.8, "JSB-02": -0.7}
"""Designed improving (> 0) and slipping (< 0) institutions: latent change a
year on top of the industry drift."""
LATE_ENTRANTS: dict[str, int] = {"CITY-06": 2023, "RURAL-06": 2024, "FRGN-03": 2023}
"""Institutions first observed in a later year."""
PERSISTENCE = 0.85
"""Share of a metric's idiosyncratic variance that persists from year to year."""
GROWTH = {"total_assets": 0.07, "revenue": 0.05, "customers": 0.04, "employees": 0.01}


def _history_note(institution_id: str) -> str:
    trend = TRENDS.get(institution_id, 0.0)
    notes = ["designed improving" if trend > 0 else "designed slipping" if trend < 0 else ""]
    if institution_id in LATE_ENTRANTS:
        notes.append(f"enters in {LATE_ENTRANTS[institution_id]}")
    if PINNED.get(institution_id, 0) > 0:
        notes.append(f"strong in {DIAGNOSIS_YEAR}")
    elif PINNED.get(institution_id, 0) < 0:
        notes.append(f"weak in {DIAGNOSIS_YEAR}")
    return "; ".join(n for n in notes if n)


def generate_sample_history(seed: int = SAMPLE_SEED, years: tuple[int, ...] = HISTORY_YEARS) -> pd.DataFrame:
    """Generate the synthetic multi-period sample panel (one row per
    institution and year).

    Each institution keeps its peer group, name and a latent quality that
    sits at its single-period value in :data:`DIAGNOSIS_YEAR` and moves by
    :data:`INDUSTRY_DRIFT` a year plus its designed trend (:data:`TRENDS`);
    each metric's own shock persists from year to year
    (:data:`PERSISTENCE`); sizes grow by :data:`GROWTH` a year with noise.
    :data:`LATE_ENTRANTS` have no rows before their first year.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed gives the same panel.
    years : tuple of int
        Years to generate (at least two).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`generate_sample_panel` plus ``period`` (the
        year, as text) after ``peer_group``.

    Examples
    --------
    >>> history = generate_sample_history()
    >>> history["period"].nunique(), bool(history["is_synthetic"].eq("true").all())
    (5, True)
    >>> sorted(history.loc[history["institution_id"] == "RURAL-06", "period"])
    ['2024', '2025']
    """
    if len(years) < 2:
        raise ValueError("a history needs at least two years")
    rng = np.random.default_rng(seed + 1)
    catalog = load_catalog().table
    profiles = pd.read_csv(data_dir() / "sample" / "size_profile.csv").set_index("peer_group")
    base = generate_sample_panel(seed)
    frames = []
    for group, profile in profiles.iterrows():
        rows = base[base["peer_group"] == group].reset_index(drop=True)
        count = len(rows)
        ids = rows["institution_id"].tolist()
        latent0 = np.array([PINNED.get(i, np.nan) for i in ids])
        latent0 = np.where(np.isnan(latent0), rng.standard_normal(count), latent0)
        trend = np.array([TRENDS.get(i, 0.0) for i in ids])
        persistent = rng.standard_normal((len(catalog), count))
        sizes = _sizes(rng, profile, count)
        quantiles = baseline_quantiles(group)
        for year in years:
            step = year - DIAGNOSIS_YEAR
            latent = latent0 + (INDUSTRY_DRIFT + trend) * step
            frame = rows[["institution_id", "name", "peer_group", "is_synthetic"]].copy()
            frame.insert(3, "period", str(year))
            frame["note"] = [_history_note(i) for i in ids]
            grown = sizes.copy()
            for column, rate in GROWTH.items():
                grown[column] = sizes[column] * (1 + rate) ** step * np.exp(0.02 * rng.standard_normal(count))
            for column in ("hnw_customers", "customer_records"):
                grown[column] = sizes[column] * grown["customers"] / sizes["customers"]
            grown = grown.round({"total_assets": -6, "revenue": -4}).round({c: 0 for c in grown.columns if c not in ("total_assets", "revenue")})
            frame = pd.concat([frame, grown], axis=1)
            for index, (metric_id, info) in enumerate(catalog.iterrows()):
                shock = np.sqrt(PERSISTENCE) * persistent[index] + np.sqrt(1 - PERSISTENCE) * rng.standard_normal(count)
                goodness = ndtr(LATENT_WEIGHT * latent + np.sqrt(1 - LATENT_WEIGHT**2) * shock)
                level = np.clip(1 - goodness if info["direction"] == "lower_better" else goodness, 0.01, 0.99)
                q = quantiles.loc[metric_id, list(QUANTILE_COLUMNS)].to_numpy(float)
                digits = 0 if metric_id in WHOLE_NUMBER_METRICS else int(info["decimals"])
                frame[metric_id] = np.round(quantile_function(q, level, info["min"], info["max"]), digits)
            frame = reconcile_sample(frame, rng)
            entered = np.array([LATE_ENTRANTS.get(i, years[0]) <= year for i in ids])
            frames.append(frame[entered])
    history = pd.concat(frames, ignore_index=True)
    return history.sort_values(["institution_id", "period"], kind="stable").reset_index(drop=True)


def write_sample_history(path: str | Path | None = None, seed: int = SAMPLE_SEED) -> Path:
    """Write the multi-period sample panel CSV (UTF-8) and return its path
    (default ``data/sample/institutions_history.csv``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_sample_history(pathlib.Path(tempfile.mkdtemp()) / "h.csv")
    >>> out.stat().st_size > 0
    True
    """
    path = Path(path) if path else data_dir() / "sample" / "institutions_history.csv"
    frame = generate_sample_history(seed)
    identity = ["institution_id", "name", "peer_group", "period", "is_synthetic", "note"]
    ordered = identity + list(load_size_fields().index) + [c for c in frame.columns if c not in identity and c not in load_size_fields().index]
    frame[ordered].to_csv(path, index=False, encoding="utf-8", float_format="%.10g")
    return path
