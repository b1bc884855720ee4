import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.plan.change import PILLARS, RM_CAP_SHARE, adoption_targets, load_change_actions, training_plan


def test_change_actions_cover_the_four_pillars_in_both_languages():
    actions = load_change_actions()
    assert set(actions["pillar"]) == set(PILLARS)
    assert actions[["action_en", "action_zh", "owner_en", "owner_zh"]].notna().all().all()


def test_training_scales_with_the_institution(sample_panel):
    frame = sample_panel.latest().data.set_index("institution_id")
    small, large = training_plan(frame.loc["RURAL-02"]), training_plan(frame.loc["SOB-06"])
    assert (large["headcount"] >= small["headcount"]).all() and large["hours"].sum() > 10 * small["hours"].sum()
    rural = frame.loc["RURAL-02"]
    rms = small.set_index("tier").at["relationship_managers", "headcount"]
    assert rms == pytest.approx(min(rural["customers"] / rural["customers_per_rm"], RM_CAP_SHARE * rural["employees"]), abs=1)
    assert (small["hours"] == small["headcount"] * small["hours_per_person"]).all()


def test_implied_relationship_managers_are_capped_by_employees():
    bank = pd.Series({"employees": 1000, "customers": 5_000_000, "customers_per_rm": 100})  # would imply 50,000 RMs
    plan = training_plan(bank).set_index("tier")
    assert plan.at["relationship_managers", "headcount"] == RM_CAP_SHARE * 1000
    with pytest.raises(InputDataError, match="number of employees"):
        training_plan(pd.Series({"employees": 0, "customers": 1, "customers_per_rm": 1}))


def test_adoption_targets_follow_the_yearly_path():
    path = adoption_targets([0.40, 0.55, 0.70, 0.85])
    assert len(path) == 12 and path["target"].is_monotonic_increasing
    assert path.set_index("quarter").loc[[4, 8, 12], "target"].tolist() == pytest.approx([0.55, 0.70, 0.85])
    with pytest.raises(InputDataError, match="at least one yearly target"):
        adoption_targets([0.4])


def test_bad_change_data_is_refused(tmp_path):
    bad = tmp_path / "change_actions.csv"
    load_change_actions().assign(phase="someday").to_csv(bad, index=False)
    with pytest.raises(InputDataError, match=r"row 2, column 'phase': 'someday'"):
        load_change_actions(bad)
