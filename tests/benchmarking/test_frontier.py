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


def _designed_panel(inefficiency_sd: float, seed: int = 7, n: int = 80) -> pd.DataFrame:
    """CRM cost on an exact Cobb–Douglas cost frontier of customers and
    revenue, with symmetric noise (sd 0.10) and half-normal inefficiency."""
    import numpy as np

    rng = np.random.default_rng(seed)
    customers = np.exp(rng.uniform(np.log(1e6), np.log(5e7), n))
    revenue = customers * 1_000 * np.exp(rng.normal(0, 0.2, n))
    log_cost = -2.0 + 0.6 * np.log(customers) + 0.4 * np.log(revenue) + rng.normal(0, 0.10, n)
    log_cost += np.abs(rng.normal(0, inefficiency_sd, n)) if inefficiency_sd else 0.0
    return pd.DataFrame({"institution_id": [f"B{i:02d}" for i in range(n)], "revenue": revenue, "customers": customers,
                         "crm_opex_ratio": np.exp(log_cost) / revenue, "employees": customers / 800 * np.exp(rng.normal(0, 0.2, n))})


def test_sfa_gives_no_score_when_it_cannot_separate_inefficiency_from_noise():
    """Noise only: the LR test of no inefficiency is not significant, so no
    institution gets an SFA score (rather than 1.00, "perfectly
    efficient"); DEA still scores every institution."""
    efficiency = frontier_efficiency(_designed_panel(0.0))
    assert efficiency.attrs["sfa_lr_statistic"] < 2.706
    assert efficiency.attrs["sfa_inefficiency_significant"] is False
    assert efficiency["sfa_cost_efficiency"].isna().all()
    assert efficiency["dea_crs"].between(0.3, 1 + 1e-9).all() and (efficiency["dea_crs"] > 1 - 1e-7).any()


def test_sfa_scores_institutions_when_inefficiency_is_significant():
    efficiency = frontier_efficiency(_designed_panel(0.3))
    assert efficiency.attrs["sfa_lr_statistic"] > 2.706
    assert efficiency.attrs["sfa_inefficiency_significant"] is True
    scores = efficiency["sfa_cost_efficiency"]
    assert scores.notna().all() and scores.between(0.3, 0.99).all() and scores.median() == pytest.approx(0.78, abs=0.05)


def test_frontier_cache_is_keyed_by_the_frontier_code(sample_panel, tmp_path, monkeypatch):
    """A change to the DEA/SFA code must not read a table cached by the old code."""
    from analysis_lib.benchmarking import frontier as module

    monkeypatch.setenv("CRM_DIAG_CACHE", str(tmp_path))
    module.cached_frontier_efficiency(sample_panel.latest().data, sample_panel.sha256)
    (cached,) = tmp_path.glob("*.parquet")
    code = cached.name.removesuffix(".parquet").rsplit("-", 1)[1]
    assert len(code) == 12 and all(c in "0123456789abcdef" for c in code)
