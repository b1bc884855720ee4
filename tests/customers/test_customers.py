import numpy as np
import pandas as pd
import pytest

from analysis_lib.customers import (
    churn_rates,
    clv,
    customer_value,
    fit_churn_model,
    kaplan_meier,
    load_customer_extract,
    tenure_band,
    value_risk_segments,
)
from analysis_lib.errors import InputDataError

from conftest import shared_path


@pytest.fixture(scope="module")
def extract():
    return load_customer_extract(shared_path("datasets", "churn_modelling.csv"))


@pytest.fixture(scope="module")
def model(extract):
    return fit_churn_model(extract)


def test_churn_rates_on_the_real_extract(extract):
    overall = churn_rates(extract)
    assert overall["churn_rate"].iloc[0] == pytest.approx(0.2037, abs=5e-5)
    assert overall["ci_low"].iloc[0] < 0.2037 < overall["ci_high"].iloc[0]
    by_products = churn_rates(extract, "products")["churn_rate"]
    np.testing.assert_allclose(by_products.loc[[1, 2, 3, 4]].to_numpy(), [0.277, 0.076, 0.827, 1.0], atol=5e-4)
    bands = churn_rates(extract.__class__(extract.data.assign(tenure_band=tenure_band(extract.data["tenure"])), "x"), "tenure_band")
    assert bands["customers"].sum() == 10_000


def test_model_quality_on_held_out_customers(model):
    assert model.auc > 0.75  # a sane floor, well above chance
    assert model.n_test == 3000 and model.n_train == 7000
    assert model.deciles.loc[1, "lift"] > 2.5
    assert model.deciles["capture_rate"].iloc[-1] == pytest.approx(1.0)
    assert model.deciles["capture_rate"].is_monotonic_increasing
    assert (model.deciles["predicted_rate"].diff().dropna() <= 1e-12).all()
    # calibration: predicted and observed agree by decile within a few points
    assert (model.deciles["predicted_rate"] - model.deciles["observed_rate"]).abs().max() < 0.1
    assert model.coefficients.loc["active", "odds_ratio"] < 1
    assert any("3 or more products" in d for d in model.drivers(top=6))
    assert model.scores.between(0, 1).all() and len(model.scores) == 10_000


def test_same_seed_same_model(extract, model):
    again = fit_churn_model(extract, seed=model.seed)
    assert again.auc == model.auc


def test_clv_formula_worked_example():
    # margin 100 a year, retention 80%, discount 10%: 100 x 0.8 / (1 + 0.1 - 0.8) = 266.67
    assert clv(100.0, 0.8, 0.10) == pytest.approx(266.6667, abs=1e-4)
    # equals the sum of the geometric series sum_t m r^t / (1+d)^t, t >= 1
    series = sum(100 * 0.8**t / 1.1**t for t in range(1, 400))
    assert clv(100.0, 0.8, 0.10) == pytest.approx(series)
    with pytest.raises(InputDataError):
        clv(100.0, 1.2, 0.1)


def test_value_and_segments(extract, model):
    values = customer_value(extract, model)
    assert (values["clv_at_risk"] <= values["clv"]).all()
    segments = value_risk_segments(values)
    assert segments["customers"].sum() == 10_000
    assert segments.index[0] == "high value, high risk"
    assert segments["clv_at_risk"].sum() == pytest.approx(values["clv_at_risk"].sum())


def test_personal_data_never_reaches_an_output(extract, model):
    raw = pd.read_csv(shared_path("datasets", "churn_modelling.csv"))
    surnames = set(raw["Surname"].astype(str))
    ids = set(raw["CustomerId"].astype(str))
    assert {"Surname", "RowNumber"} <= set(extract.dropped_columns)
    tables = [extract.data, churn_rates(extract, "region"), customer_value(extract, model).reset_index(),
              value_risk_segments(customer_value(extract, model)).reset_index(), model.coefficients.reset_index(), model.deciles]
    for table in tables:
        text = set(table.astype(str).to_numpy().ravel()) | set(map(str, table.columns))
        assert not (text & surnames), "a surname leaked"
        assert not (text & ids), "a customer id leaked"


def test_kaplan_meier_against_a_hand_computed_case(tmp_path):
    # tenures 1,2,2,3,4 with events 1,1,0,1,0: S(1)=4/5, S(2)=4/5*3/4=0.6, S(3)=0.6*1/2=0.3
    path = tmp_path / "c.csv"
    pd.DataFrame({"id": range(5), "left": [1, 1, 0, 1, 0], "years": [1, 2, 2, 3, 4]}).to_csv(path, index=False)
    extract = load_customer_extract(path, {"customer_id": "id", "churned": "left", "tenure": "years"})
    table = kaplan_meier(extract).set_index("time")
    assert table.loc[1, "retention"] == pytest.approx(0.8)
    assert table.loc[2, "retention"] == pytest.approx(0.6)
    assert table.loc[3, "retention"] == pytest.approx(0.3)
    assert table.loc[2, "at_risk"] == 4


@pytest.mark.parametrize(
    "frame, mapping, message",
    [
        ({"id": [1, 2], "left": [0, 1]}, {"churned": "Exited"}, "mapped column\\(s\\) not in the file: churned -> 'Exited'"),
        ({"id": [1, 2, 3], "left": [0, 2, 1]}, {"churned": "left"}, "row 3, column 'left': churn flag '2' is not binary"),
        ({"id": [1, 2], "left": [1, 1]}, {"churned": "left"}, "every customer churned"),
        ({"id": [1, 2], "left": [0, 0]}, {"churned": "left"}, "every customer stayed"),
        ({"id": [1, 2], "left": [0, 1]}, {"churned": "left", "shoe_size": "id"}, "unknown roles"),
        ({"id": [1, 2, 3], "left": [0, 1, 0], "bal": [5.0, None, 2.0]}, {"churned": "left", "balance": "bal"},
         "^bad.csv, row 3, column 'bal': the cell is empty; expected a number$"),
        ({"id": [1, 2], "left": [0, 1], "bal": ["5", "lots"]}, {"churned": "left", "balance": "bal"},
         "row 3, column 'bal': 'lots' is not a number; expected a number"),
    ],
)
def test_bad_extracts(tmp_path, frame, mapping, message):
    path = tmp_path / "bad.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    with pytest.raises(InputDataError, match=message):
        load_customer_extract(path, mapping)
