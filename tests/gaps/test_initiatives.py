import numpy as np
import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.gaps.gap import GapResult
from analysis_lib.gaps.initiatives import cost_waterfall, load_initiatives, prioritise
from analysis_lib.gaps.selection import load_criteria, load_options, score_options, weight_sensitivity


def _gaps(values: dict[str, float], groups: dict[str, str] | None = None) -> GapResult:
    groups = groups or {}
    rows = [{"metric_id": m, "value_at_stake": v, "counted": True, "dimension": "cost" if m in groups else "value",
             "overlap_group": groups.get(m)} for m, v in values.items()]
    return GapResult("X", "test", pd.DataFrame(rows), ())


def _initiatives():
    return pd.DataFrame({
        "name_en": ["A", "B"], "name_zh": ["甲", "乙"], "metrics": [["crm_opex_ratio"], ["crm_opex_ratio", "retention_mass"]],
        "impact_low": [0.5, 0.4], "impact_high": [0.5, 0.4], "one_off_cost_low": [0.001, 0.01], "one_off_cost_high": [0.001, 0.01],
        "running_cost_low": [0.0, 0.0], "running_cost_high": [0.0, 0.0], "effort": [1, 4], "time_to_value_months": [3, 12],
    }, index=pd.Index(["a", "b"], name="initiative_id"))


def test_sequenced_capture_never_exceeds_the_gap():
    gaps = _gaps({"crm_opex_ratio": 100.0, "retention_mass": 50.0}, {"crm_opex_ratio": "crm_cost"})
    table = prioritise(gaps, revenue=1000.0, initiatives=_initiatives())
    assert list(table.index) == ["a", "b"]  # a is the quick win
    assert table.loc["a", "standalone_value"] == pytest.approx(50.0)
    assert table.loc["b", "standalone_value"] == pytest.approx(0.4 * 150)
    # b captures 40% of what a left: 0.4 x 50 + 0.4 x 50
    assert table.loc["b", "sequenced_value"] == pytest.approx(40.0)
    assert table["sequenced_value"].sum() <= 150
    assert table.loc["a", "category"] == "quick win" and table.loc["b", "category"] == "strategic"
    assert table.loc["a", "one_off_cost"] == pytest.approx(1.0)


def test_waterfall_steps_sum_to_the_target_cost():
    gaps = _gaps({"crm_opex_ratio": 100.0, "retention_mass": 50.0}, {"crm_opex_ratio": "crm_cost"})
    table = prioritise(gaps, revenue=1000.0, initiatives=_initiatives())
    waterfall = cost_waterfall(gaps, table, current_cost=300.0)
    assert waterfall["amount"].iloc[0] == 300.0
    assert waterfall["amount"].iloc[1:-1].tolist() == pytest.approx([-50.0, -20.0])
    assert waterfall["end"].iloc[-1] == pytest.approx(230.0)
    assert list(waterfall["step"]) == [0, 1, 2, 3]


def test_initiative_table_covers_the_template_levers():
    table = load_initiatives()
    assert {"cdp_consolidation", "churn_early_warning", "ai_marketing", "intelligent_service", "data_governance", "open_api",
            "process_reengineering", "training_adoption"} <= set(table.index)
    assert table["name_zh"].str.len().gt(0).all()
    with pytest.raises(InputDataError, match="revenue"):
        prioritise(_gaps({"nps": 1.0}), revenue=float("nan"))


def test_sample_institution_prioritisation(sample_panel):
    from analysis_lib.gaps.gap import gaps_for

    inst = sample_panel.institution("CITY-02")
    table = prioritise(gaps_for(inst, sample_panel.latest().data), inst["revenue"])
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert (table["sequenced_value"] <= table["standalone_value"] + 1e-6).all()


def test_vendor_scoring_by_hand():
    options = pd.DataFrame({"a": [5, 3], "b": [1, 4]}, index=["X", "Y"])
    scored = score_options(options, pd.Series({"a": 0.6, "b": 0.4}))
    assert scored.loc["X", "score"] == pytest.approx(3.4) and scored.loc["Y", "score"] == pytest.approx(3.4)
    scored = score_options(options, pd.Series({"a": 0.7, "b": 0.3}))
    assert scored.index[0] == "X" and scored.loc["X", "score"] == pytest.approx(3.8)


def test_weight_sensitivity_flags_a_fragile_ranking():
    options, weights = load_options(), load_criteria()["weight"]
    table = weight_sensitivity(options, weights)
    leader = score_options(options, weights).index[0]
    for criterion, row in table.dropna(subset=["change_to_flip"]).iterrows():
        trial = weights.copy()
        trial[criterion] *= 1 + row["change_to_flip"]
        scored = score_options(options, trial)
        assert row["new_leader"] != leader
        assert scored.loc[row["new_leader"], "score"] == pytest.approx(scored["score"].max())
    assert table["fragile"].any()  # the illustrative options are close: a 20% weight change flips them


def test_bad_vendor_inputs():
    with pytest.raises(InputDataError, match="between 1 and 5"):
        score_options(pd.DataFrame({"a": [7]}, index=["X"]), pd.Series({"a": 1.0}))
    with pytest.raises(InputDataError, match="lack scores"):
        score_options(pd.DataFrame({"a": [3]}, index=["X"]), pd.Series({"b": 1.0}))


def _smallest_flip_by_hand(options: pd.DataFrame, weights: pd.Series, criterion: str) -> tuple[float, object]:
    """One trial weight vector at a time, nearest to today's first."""
    leader = score_options(options, weights).index[0]
    changes = np.linspace(-0.5, 0.5, 101)
    for change in changes[np.argsort(np.abs(changes), kind="stable")][1:]:
        trial = weights.copy()
        trial[criterion] = weights[criterion] * (1 + change)
        others = score_options(options, trial).drop(index=leader)
        if others["score"].iloc[0] >= score_options(options, trial).loc[leader, "score"] - 1e-9:
            return float(change), others.index[0]
    return np.nan, None


@pytest.mark.parametrize("seed", range(6))
def test_weight_sensitivity_finds_the_smallest_flip(seed):
    rng = np.random.default_rng(seed)
    options = pd.DataFrame(rng.integers(1, 6, size=(4, 5)), index=list("PQRS"), columns=list("abcde"))
    weights = pd.Series(rng.uniform(0.05, 0.4, 5), index=list("abcde"))
    table = weight_sensitivity(options, weights)
    for criterion in weights.index:
        change, new = _smallest_flip_by_hand(options, weights, criterion)
        got = table.loc[criterion]
        assert (np.isnan(change) and np.isnan(got["change_to_flip"])) or got["change_to_flip"] == pytest.approx(change)
        assert got["new_leader"] == new
