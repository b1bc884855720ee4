import numpy as np
import pandas as pd
import pytest

from analysis_lib.benchmarking.expectation import expectations_for, size_adjusted
from analysis_lib.errors import InputDataError


def _panel(n=60, seed=0):
    rng = np.random.default_rng(seed)
    assets = np.exp(rng.uniform(20, 30, n))
    group = np.where(np.arange(n) % 2 == 0, "city_commercial", "rural_commercial")
    cir = 0.9 - 0.02 * np.log(assets) + np.where(group == "rural_commercial", 0.05, 0.0) + rng.normal(0, 0.005, n)
    return pd.DataFrame({"institution_id": [f"B{i:02d}" for i in range(n)], "peer_group": group, "total_assets": assets,
                         "cost_to_income": cir, "nps": 20 + rng.normal(0, 5, n)})


@pytest.mark.parametrize("method", ["ols", "quantile"])
def test_recovers_size_and_group_effects(method):
    result = size_adjusted(_panel(), "cost_to_income", method=method)
    assert result.params["log_size"] == pytest.approx(-0.02, abs=0.002)
    assert result.params["peer_group[T.rural_commercial]"] == pytest.approx(0.05, abs=0.005)
    assert result.n == 60


def test_residual_percentile_is_direction_aware():
    frame = _panel()
    frame.loc[0, "cost_to_income"] += 0.2  # far worse than expected for a lower-is-better metric
    frame.loc[1, "cost_to_income"] -= 0.2
    table = size_adjusted(frame, "cost_to_income").table
    assert table.loc["B00", "residual"] > 0.15 and table.loc["B00", "residual_percentile"] < 2
    assert table.loc["B01", "residual_percentile"] > 98
    # expected + residual = value
    np.testing.assert_allclose(table["expected"] + table["residual"], table["value"])


def test_expectations_for_one_institution_and_errors():
    frame = _panel()
    rows = expectations_for(frame, "B05", ["cost_to_income", "nps", "retention_hnw"])
    assert rows.set_index("metric_id").loc["retention_hnw", "note"].startswith("size-adjusted retention_hnw: 0 institutions")
    assert np.isfinite(rows.set_index("metric_id").loc["cost_to_income", "expected"])
    with pytest.raises(InputDataError, match="at least 12"):
        size_adjusted(frame.head(5), "cost_to_income")
    with pytest.raises(InputDataError, match="unknown metric"):
        size_adjusted(frame, "nope")
