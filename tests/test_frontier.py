import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.frontier import frontier_data, frontier_efficiency, learning_peers


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
    assert len(peers) >= 1 and (peers["dea_crs"] > 1 - 1e-7).all()
    with pytest.raises(InputDataError, match="no frontier score"):
        learning_peers(efficiency, "NOPE", frame)


def test_frontier_data_drops_incomplete_rows():
    frame = pd.DataFrame({"institution_id": ["A", "B"], "crm_opex_ratio": [0.01, None], "revenue": [1e9, 2e9],
                          "employees": [10, 20], "customers": [1e5, 2e5]})
    assert list(frontier_data(frame).index) == ["A"]
    with pytest.raises(InputDataError, match="needs the columns"):
        frontier_data(frame.drop(columns="employees"))
