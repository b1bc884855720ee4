import numpy as np
import pytest

from analysis_lib.reference.baselines import CONFIDENCE_LEVELS, QUANTILE_COLUMNS, baseline_quantiles, load_baselines
from analysis_lib.reference.catalog import data_dir, load_catalog, load_peer_groups


def test_every_metric_has_a_row_for_every_peer_group():
    baselines = load_baselines()
    expected = {(g, m) for g in load_peer_groups().index for m in load_catalog().ids}
    assert set(baselines.index) == expected


def test_quantiles_ascend_and_sit_in_the_catalog_range():
    baselines = load_baselines()
    q = baselines[list(QUANTILE_COLUMNS)].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    table = load_catalog().table
    low = table["min"].reindex(baselines.index.get_level_values("metric_id")).to_numpy()
    high = table["max"].reindex(baselines.index.get_level_values("metric_id")).to_numpy()
    assert (q >= low[:, None]).all() and (q <= high[:, None]).all()


def test_every_row_has_source_year_and_confidence():
    baselines = load_baselines()
    assert baselines["source"].str.strip().ne("").all()
    assert baselines["year"].between(2015, 2030).all()
    assert set(baselines["confidence"]) <= set(CONFIDENCE_LEVELS)
    assert {"public", "template", "assumption"} == set(baselines["confidence"])


def test_every_source_id_is_listed_in_sources_md():
    sources = (data_dir() / "SOURCES.md").read_text(encoding="utf-8")
    for text in load_baselines()["source"].unique():
        ref = text.split("(")[-1].rstrip(")").split(",")[-1].strip()
        assert f"| {ref} |" in sources, ref


@pytest.mark.parametrize(
    "group, metric, p50",
    [("large_state_owned", "cost_to_income", 0.29), ("joint_stock", "cost_to_income", 0.298), ("all_banks", "offcounter_txn_share", 0.90),
     ("large_state_owned", "crm_systems_count", 3.2), ("all_banks", "clv_capability", 0.38), ("city_commercial", "data_error_rate", 0.086)],
)
def test_public_and_template_figures(group, metric, p50):
    assert load_baselines().loc[(group, metric), "p50"] == pytest.approx(p50)


def test_template_conflicts_are_flagged_in_the_note():
    baselines = load_baselines()
    for metric in ("crm_opex_ratio", "retention_mass"):
        notes = baselines.xs(metric, level="metric_id")["note"]
        assert notes.str.contains("CONFLICT").all(), metric
        assert notes.str.contains("Default").all(), metric
    # the default follows public data: CRM opex well below all IT spend (3.5% of revenue)
    assert (baselines.xs("crm_opex_ratio", level="metric_id")["p90"] < 0.035).all()
    assert (baselines.xs("retention_mass", level="metric_id")["p10"] > 0.65).all()


def test_baseline_quantiles_of_a_group():
    q = baseline_quantiles("joint_stock", ["cost_to_income", "nps"])
    assert list(q.index) == ["cost_to_income", "nps"]
    assert q.loc["cost_to_income", "p50"] == pytest.approx(0.298)
    assert (q["from_group"] == "joint_stock").all()


def test_sources_and_notes_are_given_in_chinese_with_the_same_source_id():
    baselines = load_baselines()
    assert baselines["source_zh"].str.strip().ne("").all()
    assert (baselines["note"].isna() == baselines["note_zh"].isna()).all()
    for en, zh in zip(baselines["source"], baselines["source_zh"]):
        ref = en.split("(")[-1].rstrip(")").split(",")[-1].strip()
        assert ref in zh and not any(w in zh for w in ("Workbook", "template", "SOURCES.md")), zh
    conflicts = baselines[baselines["note"].str.contains("CONFLICT", na=False)]
    assert conflicts["note_zh"].str.startswith("与公开数据冲突").all()


def test_acquisition_cost_is_consistent_with_lifetime_value_not_the_template():
    """The template's unsourced 12,000 / 120,000 CNY would put a mass
    customer's acquisition cost at two to four times its lifetime value; the
    baseline (A2) is derived from the panel's CRM cost and sits 7-11 times
    below the lifetime value at the median of every peer group."""
    import pandas as pd

    from analysis_lib.reference.catalog import data_dir

    baselines = load_baselines()
    hnw_share = pd.read_csv(data_dir() / "sample" / "size_profile.csv").set_index("peer_group")["hnw_share"]
    p50 = baselines["p50"].unstack("metric_id")
    blended = p50["acq_cost_hnw"] * hnw_share + p50["acq_cost_mass"] * (1 - hnw_share)
    ratio = (p50["clv_per_customer"] / blended).dropna()
    assert len(ratio) == 5
    assert ratio.between(5.5, 11.5).all(), ratio
    assert ratio["city_commercial"] == pytest.approx(5000 / (12000 * 0.003 + 600 * 0.997), rel=1e-9)  # 7.9x
    assert p50.loc["city_commercial", "acq_cost_mass"] == 600 and p50.loc["rural_commercial", "acq_cost_mass"] == 450
    assert (p50["acq_cost_mass"] < 2000).all() and (p50["acq_cost_hnw"] < 30000).all()
    rows = baselines[baselines.index.get_level_values("metric_id").isin(["acq_cost_mass", "acq_cost_hnw"])]
    assert (rows["confidence"] == "assumption").all() and rows["source"].str.contains("A2").all()
    assert rows["note"].str.contains("CONFLICT").all() and rows["year"].eq(2025).all()
