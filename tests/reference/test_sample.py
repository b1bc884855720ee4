import pandas as pd
import pytest

from analysis_lib.benchmarking.positioning import position_panel
from analysis_lib.reference.sample import PINNED, generate_sample_panel

from conftest import SAMPLE_PANEL


def test_committed_sample_is_what_the_generator_makes():
    committed = pd.read_csv(SAMPLE_PANEL, keep_default_na=False, na_values=[""])
    fresh = generate_sample_panel()
    assert list(committed.columns) == list(fresh[committed.columns].columns)
    numeric = committed.select_dtypes("number").columns
    pd.testing.assert_frame_equal(committed[numeric], fresh[numeric], check_dtype=False, rtol=1e-9)
    assert list(committed["institution_id"]) == list(fresh["institution_id"])


def test_sample_is_marked_synthetic_and_covers_every_group(sample_panel):
    data = sample_panel.data
    assert len(data) >= 60
    assert data["is_synthetic"].eq("true").all()
    assert data["name"].str.startswith("Synthetic").all()
    assert set(data["peer_group"]) == {"large_state_owned", "joint_stock", "city_commercial", "rural_commercial", "foreign"}


def test_designed_strong_and_weak_institutions_land_in_the_right_tails(sample_panel):
    scores = position_panel(sample_panel.latest().data).scores["overall"]
    ranks = scores.rank(pct=True)
    for institution, z in PINNED.items():
        if z > 0:
            assert ranks[institution] >= 0.75, (institution, scores[institution])
        else:
            assert ranks[institution] <= 0.10, (institution, scores[institution])


def test_generator_is_deterministic_and_seeded():
    a, b, c = generate_sample_panel(1), generate_sample_panel(1), generate_sample_panel(2)
    pd.testing.assert_frame_equal(a, b)
    assert not a["cost_to_income"].equals(c["cost_to_income"])


def test_sample_acquisition_cost_agrees_with_lifetime_value_and_paid_acquisitions(sample_panel):
    """Every synthetic bank's lifetime value is 1.5-18 times its blended
    acquisition cost, and the CRM cost it spends on acquisition buys paid new
    customers of 0.2-4% of its book a year."""
    data = sample_panel.latest().data.set_index("institution_id")
    hnw = data["hnw_customers"] / data["customers"]
    blended = data["acq_cost_hnw"] * hnw + data["acq_cost_mass"] * (1 - hnw)
    ratio = data["clv_per_customer"] / blended
    assert ratio.between(1.5 - 0.01, 18 + 0.05).all(), ratio[~ratio.between(1.49, 18.05)]
    assert (data["new_customers"] / data["customers"]).between(0.002, 0.04).all()
    assert data.loc["CITY-02", "acq_cost_mass"] == 847 and data.loc["RURAL-02", "acq_cost_mass"] == 687
    assert ratio["CITY-02"] == pytest.approx(4.41, abs=0.01) and ratio["RURAL-02"] == pytest.approx(5.31, abs=0.01)
