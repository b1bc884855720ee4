import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis_lib.benchmarking.positioning import MIN_PEERS, position_panel, positioning_summary
from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import DIMENSIONS, load_catalog


def _panel(values: dict[str, list[float]], group: str = "city_commercial") -> pd.DataFrame:
    n = len(next(iter(values.values())))
    frame = pd.DataFrame({"institution_id": [f"I{i:02d}" for i in range(n)], "peer_group": group})
    for metric, column in values.items():
        frame[metric] = column
    return frame


def test_panel_percentile_is_mid_rank_and_direction_aware():
    # 10 peers: cost_to_income lower is better, nps higher is better
    cir = [0.30 + 0.01 * i for i in range(10)]
    frame = _panel({"cost_to_income": cir, "nps": list(range(10))})
    result = position_panel(frame)
    rows = result.metrics.set_index(["institution_id", "metric_id"])
    # I00 has the lowest cost ratio: 9 peers worse, itself counts half -> 95
    assert rows.loc[("I00", "cost_to_income"), "percentile"] == pytest.approx(95.0)
    assert rows.loc[("I00", "nps"), "percentile"] == pytest.approx(5.0)
    assert rows.loc[("I00", "cost_to_income"), "quartile"] == 1
    assert rows.loc[("I00", "nps"), "quartile"] == 4
    assert rows.loc[("I00", "nps"), "rag"] == "red"
    assert rows.loc[("I05", "nps"), "rag"] == "green"  # 55th percentile
    assert rows.loc[("I03", "nps"), "rag"] == "amber"  # 35th percentile
    assert (rows.xs("cost_to_income", level="metric_id")["reference"] == "panel").all()
    # distance to the peer median (0.345)
    assert rows.loc[("I00", "cost_to_income"), "peer_median"] == pytest.approx(0.345)
    assert rows.loc[("I00", "cost_to_income"), "gap_to_median"] == pytest.approx(-0.045)
    assert rows.loc[("I00", "cost_to_income"), "gap_to_median_pct"] == pytest.approx(-0.045 / 0.345)


def test_ties_share_the_mid_rank():
    frame = _panel({"nps": [10.0] * 10})
    assert (position_panel(frame).metrics.query("metric_id == 'nps'")["percentile"] == 50.0).all()


def test_small_group_falls_back_to_baseline_quantiles():
    # city commercial cost_to_income baseline: p10 .25, p25 .285, p50 .32, p75 .355, p90 .39
    frame = _panel({"cost_to_income": [0.32, 0.285, 0.39, 0.46]})
    rows = position_panel(frame).metrics.query("metric_id == 'cost_to_income'").set_index("institution_id")
    assert (rows["reference"] == "baseline:city_commercial").all()
    assert rows.loc["I00", "percentile"] == pytest.approx(50.0)
    assert rows.loc["I01", "percentile"] == pytest.approx(75.0)  # lower is better
    assert rows.loc["I02", "percentile"] == pytest.approx(10.0)
    # beyond p90: extrapolated with the outer slope (0.15 per 0.035) and clipped at 0
    assert rows.loc["I03", "percentile"] == pytest.approx(0.0)
    assert rows.loc["I00", "peer_median"] == pytest.approx(0.32)


def test_unknown_group_uses_all_banks_baseline():
    frame = _panel({"nps": [20.0]}, group="credit_union")
    row = position_panel(frame).metrics.query("metric_id == 'nps'").iloc[0]
    assert row["reference"] == "baseline:all_banks" and row["percentile"] == pytest.approx(50.0)


def test_composite_scores_use_explicit_weights():
    catalog = load_catalog()
    cost = catalog.in_dimension("cost")
    frame = _panel({m: [np.nan] * MIN_PEERS for m in catalog.ids})
    frame["cost_to_income"] = np.linspace(0.30, 0.39, MIN_PEERS)
    frame["crm_opex_ratio"] = np.linspace(0.02, 0.011, MIN_PEERS)  # reversed: I00 worst
    equal = position_panel(frame)
    assert equal.scores.loc["I00", "cost"] == pytest.approx((95 + 5) / 2)
    weights = pd.Series(0.0, index=catalog.ids)
    weights["cost_to_income"] = 3.0
    weights["crm_opex_ratio"] = 1.0
    weighted = position_panel(frame, metric_weights=weights)
    assert weighted.scores.loc["I00", "cost"] == pytest.approx((3 * 95 + 5) / 4)
    # other dimensions have no data: overall equals the cost score
    assert weighted.scores.loc["I00", "overall"] == pytest.approx(weighted.scores.loc["I00", "cost"])
    assert set(cost) >= {"cost_to_income", "crm_opex_ratio"}


def test_dimension_weights_override():
    catalog = load_catalog()
    frame = _panel({"cost_to_income": list(np.linspace(0.3, 0.39, 10)), "nps": list(range(10))})
    weights = pd.Series({d: 0.0 for d in DIMENSIONS})
    weights["experience"] = 1.0
    result = position_panel(frame, dimension_weights=weights)
    assert result.scores.loc["I09", "overall"] == pytest.approx(result.scores.loc["I09", "experience"])
    assert catalog.table.at["nps", "dimension"] == "experience"


_SAMPLE = None


def _sample_frame() -> pd.DataFrame:
    global _SAMPLE
    if _SAMPLE is None:
        from analysis_lib.intake.panel import load_panel

        from conftest import SAMPLE_PANEL

        _SAMPLE = load_panel(SAMPLE_PANEL).data
    return _SAMPLE


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_positioning_is_invariant_to_panel_order(rnd):
    frame = _sample_frame()
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    a = position_panel(frame)
    b = position_panel(shuffled)
    pd.testing.assert_frame_equal(a.scores.sort_index(), b.scores.sort_index())
    key = ["institution_id", "metric_id"]
    pd.testing.assert_frame_equal(a.metrics.sort_values(key).reset_index(drop=True), b.metrics.sort_values(key).reset_index(drop=True))


def test_bad_inputs_are_refused():
    frame = _panel({"nps": [1.0, 2.0]})
    with pytest.raises(InputDataError, match="one row per institution"):
        position_panel(pd.concat([frame, frame]))
    with pytest.raises(InputDataError, match="ascending"):
        position_panel(frame, rag_thresholds=(60, 40))
    with pytest.raises(InputDataError, match="non-negative"):
        position_panel(frame, dimension_weights=pd.Series({"cost": -1.0}))


def test_sample_summary(sample_panel):
    latest = sample_panel.latest().data
    result = position_panel(latest)
    summary = positioning_summary(result, latest)
    assert len(summary) == len(latest)
    assert summary["overall"].is_monotonic_decreasing
    assert set(summary["weakest"]) <= set(DIMENSIONS)
    # groups below MIN_PEERS use the baseline, others the panel
    refs = result.metrics.groupby("peer_group")["reference"].first()
    assert refs["large_state_owned"] == "baseline:large_state_owned"
    assert refs["city_commercial"] == "panel"


def test_benchmark_confidence_names_n_year_and_source_class(sample_panel):
    from analysis_lib.benchmarking.positioning import SOURCE_CLASSES, benchmark_confidence, public_share
    from analysis_lib.reference.baselines import load_baselines

    frame = sample_panel.latest().data
    result = position_panel(frame)
    rows = result.institution("JSB-01")
    synthetic = benchmark_confidence(rows, "joint_stock", synthetic_peers=True)
    assert set(synthetic["source_class"]) <= set(SOURCE_CLASSES) and len(synthetic) == len(rows)
    baselines = load_baselines()
    assert synthetic.at["cost_to_income", "source_class"] == baselines.at[("joint_stock", "cost_to_income"), "confidence"] == "public"
    assert synthetic.at["cost_to_income", "year"] == baselines.at[("joint_stock", "cost_to_income"), "year"]
    assert (synthetic["n"].dropna() == 12).all()
    assert public_share(synthetic) == pytest.approx((synthetic["source_class"] == "public").mean())
    real = benchmark_confidence(rows, "joint_stock", synthetic_peers=False)
    assert set(real["source_class"]) == {"peer data"} and public_share(real) == 1.0
