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
