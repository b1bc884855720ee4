import pandas as pd
import pytest

from analysis_lib.benchmarking.frontier import frontier_data, frontier_efficiency, learning_peers
from analysis_lib.errors import InputDataError


@pytest.fixture(scope="module")
def efficiency(sample_panel):
    return frontier_efficiency(sample_panel.latest().data)


def test_frontier_scores_are_valid(efficiency, sample_panel):
    assert len(efficiency) == len(sample_panel.latest().data)
    assert efficiency["dea_crs"].between(0, 1 + 1e-9).all()
    assert (efficiency["dea_crs"] <= efficiency["dea_vrs"] + 1e-9).all()
    efficient = efficiency["dea_crs"] > 1 - 1e-7
    assert efficient.any() and (efficiency.loc[efficient, "super_efficiency"] >= 1 - 1e-7).all()
    assert (efficiency["target_crm_cost"] <= efficiency["crm_cost"] * (1 + 1e-9)).all()
    assert "sfa_gamma" in efficiency.attrs


def test_designed_weak_institution_has_efficient_peers(efficiency, sample_panel):
    frame = sample_panel.latest().data
    assert efficiency.loc["CITY-02", "dea_crs"] < efficiency["dea_crs"].median()
    peers = learning_peers(efficiency, "CITY-02", frame)
    assert len(peers) >= 1 and (peers["dea_crs"] > efficiency.loc["CITY-02", "dea_crs"]).all()
    with pytest.raises(InputDataError, match="no frontier score"):
        learning_peers(efficiency, "NOPE", frame)


def test_frontier_data_drops_incomplete_rows():
    frame = pd.DataFrame({"institution_id": ["A", "B"], "crm_opex_ratio": [0.01, None], "revenue": [1e9, 2e9],
                          "employees": [10, 20], "customers": [1e5, 2e5]})
    assert list(frontier_data(frame).index) == ["A"]
    with pytest.raises(InputDataError, match="needs the columns"):
        frontier_data(frame.drop(columns="employees"))


def test_cached_frontier_equals_a_fresh_computation(sample_panel, tmp_path, monkeypatch):
    from analysis_lib.benchmarking.frontier import cached_frontier_efficiency

    monkeypatch.setenv("CRM_DIAG_CACHE", str(tmp_path))
    frame = sample_panel.latest().data
    first = cached_frontier_efficiency(frame, sample_panel.sha256)
    assert len(list(tmp_path.glob("*.parquet"))) == 1
    second = cached_frontier_efficiency(frame, sample_panel.sha256)
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(second, frontier_efficiency(frame))
    assert second.attrs["sfa_inefficiency_significant"] == first.attrs["sfa_inefficiency_significant"]


def test_peers_to_learn_from_are_comparable(efficiency, sample_panel):
    from analysis_lib.benchmarking.frontier import BEST_PRACTICE, SIZE_BAND

    frame = sample_panel.latest().data
    groups = frame.set_index("institution_id")["peer_group"]
    for institution in ("CITY-02", "RURAL-02", "CITY-07", "FRGN-02", "SOB-06"):
        peers = learning_peers(efficiency, institution, frame)
        assert 1 <= len(peers) <= 3, institution
        assert (peers["dea_crs"] >= BEST_PRACTICE).all() and (peers["dea_crs"] > efficiency.at[institution, "dea_crs"]).all()
        same = peers["peer_group"] == groups[institution]
        assert (peers.loc[same, "basis"] == "peer group").all()
        outside = peers.loc[~same]
        assert outside["revenue_ratio"].between(*SIZE_BAND).all(), institution
        # the own group comes first
        assert list(peers["basis"]) == sorted(peers["basis"])
    # a city bank never learns from a large state-owned bank many times its size
    city = learning_peers(efficiency, "CITY-02", frame)
    assert "large_state_owned" not in set(city["peer_group"])
    # a best-practice institution with nobody better has no one to learn from
    assert learning_peers(efficiency, "JSB-01", frame).empty
