"""Customer analytics on three differently laid-out extracts: the public
bank-churn file, a Chinese bank's extract (Chinese headers, 是/否 flags,
open/close dates) and a credit-card extract (text attrition flag, tenure in
months, transaction columns)."""

import numpy as np
import pandas as pd
import pytest

from analysis_lib.customers import (
    MarginModel,
    churn_rates,
    clv,
    customer_value,
    design_matrix,
    fit_churn_model,
    kaplan_meier,
    load_customer_extract,
    propose_mapping,
    tenure_band,
    validate_customer_extract,
    value_risk_segments,
    write_mapping,
)
from analysis_lib.customers.churn_model import auc, note_in_chinese
from analysis_lib.errors import InputDataError

from conftest import shared_path
from synthetic_extracts import card_extract, chinese_bank_extract


def _write(folder, name, frame):
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False)
    mapping = write_mapping(propose_mapping(frame, path.name), folder / f"{name}.yaml")
    return path, mapping


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extracts")
    public = shared_path("datasets", "churn_modelling.csv")
    public_mapping = write_mapping(propose_mapping(pd.read_csv(public), public.name), folder / "public.yaml")
    return {"public": (public, public_mapping), "chinese": _write(folder, "chinese", chinese_bank_extract()),
            "card": _write(folder, "card", card_extract())}


@pytest.fixture(scope="module")
def extracts(files):
    return {name: load_customer_extract(path, mapping) for name, (path, mapping) in files.items()}


@pytest.fixture(scope="module")
def models(extracts):
    return {name: fit_churn_model(extract) for name, extract in extracts.items()}


def test_churn_rates_on_the_real_extract(extracts):
    extract = extracts["public"]
    overall = churn_rates(extract)
    assert overall["churn_rate"].iloc[0] == pytest.approx(0.2037, abs=5e-5)
    assert overall["ci_low"].iloc[0] < 0.2037 < overall["ci_high"].iloc[0]
    by_products = churn_rates(extract, "products")["churn_rate"]
    np.testing.assert_allclose(by_products.loc[[1, 2, 3, 4]].to_numpy(), [0.277, 0.076, 0.827, 1.0], atol=5e-4)
    bands = churn_rates(extract.__class__(extract.data.assign(tenure_band=tenure_band(extract.data["tenure"])), "x"), "tenure_band")
    assert bands["customers"].sum() == 10_000


def _plain_auc(extract, model):
    import statsmodels.api as sm

    design = design_matrix(extract, np.flatnonzero(~model.held_out))
    x = sm.add_constant(design.frame().to_numpy(), has_constant="add")
    y = extract.data["churned"].to_numpy()
    import warnings

    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    with warnings.catch_warnings():  # the public file's 4-product customers all left: the unpenalised fit drifts there
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = sm.Logit(y[~model.held_out], x[~model.held_out]).fit(disp=0, maxiter=300, method="newton")
    return auc(y[model.held_out], fit.predict(x[model.held_out]))


@pytest.mark.parametrize("name, floor", [("public", 0.82), ("chinese", 0.78), ("card", 0.85)])
def test_held_out_auc_matches_a_plain_logistic_model(extracts, models, name, floor):
    model = models[name]
    assert model.auc > floor
    assert abs(model.auc - _plain_auc(extracts[name], model)) < 0.02
    low, high = model.auc_interval
    assert low < model.auc < high and 0.01 < high - low < 0.12


def test_model_quality_on_held_out_customers(models):
    model = models["public"]
    assert model.n_test == 3000 and model.n_train == 7000
    assert model.deciles.loc[1, "lift"] > 2.5
    assert model.deciles["capture_rate"].iloc[-1] == pytest.approx(1.0)
    assert model.deciles["capture_rate"].is_monotonic_increasing
    assert (model.deciles["predicted_rate"].diff().dropna() <= 1e-12).all()
    assert (model.deciles["predicted_rate"] - model.deciles["observed_rate"]).abs().max() < 0.1
    assert 0.8 < model.calibration["slope"] < 1.2 and abs(model.calibration["intercept"]) < 0.2
    assert model.scores.between(0, 1).all() and len(model.scores) == 10_000


def test_drivers_agree_with_the_raw_churn_rates(models):
    table = models["public"].driver_table.set_index("feature")
    # zero-balance customers churn less (14% vs 24% for the top quarter): the model, other things equal, does not
    # say that balance raises churn; the sentence is withheld and the table shows both
    assert table.loc["Balance", "raw_low"] == pytest.approx(0.138, abs=0.002)
    assert table.loc["Balance", "raw_high"] == pytest.approx(0.237, abs=0.002)
    assert not table.loc["Balance", "agrees"]
    sentences = models["public"].drivers(top=10)
    assert not any(s.startswith("Balance") for s in sentences)
    assert sentences[0].startswith("Products held: churn is 83% for “3” against 28% for “1”")
    assert any(s.startswith("Age: churn is 43% for the top quarter") for s in sentences)
    shown = table[table["agrees"]]
    assert (np.sign(shown["raw_difference"]) == np.sign(shown["model_difference"])).all()
    card = models["card"].driver_table.set_index("feature")
    assert card.loc["Transactions (12 months)", "model_difference"] < -0.3 and card.loc["Contacts (12 months)", "model_difference"] > 0.1
    assert any("流失率" in s for s in models["chinese"].drivers(language="zh"))


def test_same_seed_same_model(extracts, models):
    again = fit_churn_model(extracts["public"], seed=models["public"].seed)
    assert again.auc == models["public"].auc and again.auc_interval == models["public"].auc_interval


def test_constant_and_duplicated_columns_fit_for_every_seed(tmp_path):
    path, mapping = _write(tmp_path, "card", card_extract(2500, seed=5, constant=True, duplicate=True))
    extract = load_customer_extract(path, mapping)
    for seed in range(21):
        model = fit_churn_model(extract, seed=seed)
        assert np.isfinite(model.coefficients["coef"]).all() and model.scores.between(0, 1).all()
        assert 0.75 < model.auc < 1
    assert "Bank_Code: constant, left out of the model" in model.notes
    assert "Country: constant, left out of the model" in model.notes
    assert "Total_Trans_Ct_copy: perfectly collinear with Transactions (12 months), left out of the model" in model.notes
    assert note_in_chinese("Total_Trans_Ct_copy: perfectly collinear with Transactions (12 months), left out of the model",
                           model.names_zh) == "Total_Trans_Ct_copy：与近12个月交易笔数完全共线，未纳入模型"
    assert note_in_chinese("Country: constant, left out of the model", model.names_zh) == "国家：取值恒定，未纳入模型"


def test_tenure_in_months_is_read_as_years(extracts):
    tenure = extracts["card"].data["tenure"]
    assert tenure.max() == pytest.approx(56 / 12) and tenure.min() == pytest.approx(13 / 12)
    assert set(tenure_band(tenure).dropna().unique()) == {"2-3", "4-6"}


def test_dates_give_a_censored_duration(files, extracts):
    raw = pd.read_csv(files["chinese"][0], keep_default_na=False)
    data = extracts["chinese"].data
    opened, closed = pd.to_datetime(raw["开户日期"]), pd.to_datetime(raw["销户日期"].replace("", None))
    churned = raw["是否流失"].eq("是").to_numpy()
    np.testing.assert_allclose(data["tenure"][churned], ((closed - opened).dt.days / 365.25)[churned])
    np.testing.assert_allclose(data["tenure"][~churned], ((pd.Timestamp("2024-12-31") - opened).dt.days / 365.25)[~churned])
    km = kaplan_meier(extracts["chinese"])
    assert km["at_risk"].iloc[0] == 4000 and km["events"].sum() == churned.sum()


def test_kaplan_meier_against_a_hand_computed_case(tmp_path):
    # tenures 1,2,2,3,4 with events 1,1,0,1,0: S(1)=4/5, S(2)=4/5*3/4=0.6, S(3)=0.6*1/2=0.3
    path = tmp_path / "c.csv"
    pd.DataFrame({"id": range(5), "left": [1, 1, 0, 1, 0], "years": [1, 2, 2, 3, 4], "age": [30, 40, 50, 60, 70]}).to_csv(path, index=False)
    extract = load_customer_extract(path, {"customer_id": "id", "churned": "left", "tenure": "years", "age": "age"})
    table = kaplan_meier(extract).set_index("time")
    assert table.loc[1, "retention"] == pytest.approx(0.8)
    assert table.loc[2, "retention"] == pytest.approx(0.6)
    assert table.loc[3, "retention"] == pytest.approx(0.3)
    assert table.loc[2, "at_risk"] == 4


def test_kaplan_meier_from_dates_censors_at_the_observation_date(tmp_path):
    # opened 2020-01-01; closes after 1 and 3 years; two stay to 2024-01-01 (4 years) and one opened 2022 stays 2 years
    path = tmp_path / "d.csv"
    pd.DataFrame({"cid": ["a", "b", "c", "d", "e"], "closed_flag": ["yes", "yes", "no", "no", "no"],
                  "open": ["2020-01-01", "2020-01-01", "2020-01-01", "2020-01-01", "2022-01-01"],
                  "close": ["2021-01-01", "2023-01-01", "", "", ""], "score": [1, 2, 3, 4, 5]}).to_csv(path, index=False)
    mapping = tmp_path / "d.yaml"
    mapping.write_text("observation_date: 2024-01-01\ncolumns:\n  cid: {role: id}\n  closed_flag: {role: churned}\n"
                       "  open: {role: open_date}\n  close: {role: close_date}\n  score: {role: feature}\n", encoding="utf-8")
    table = kaplan_meier(load_customer_extract(path, mapping)).set_index("time")
    # S(1.0) = 4/5; at 3.0 years 3 at risk (b, c, d; e censored at 2): S = 0.8 * 2/3
    assert table["retention"].iloc[0] == pytest.approx(0.8)
    assert table["retention"].iloc[-1] == pytest.approx(0.8 * 2 / 3)
    assert table["at_risk"].iloc[-1] == 3


def test_clv_formula_worked_example():
    # margin 100 a year, retention 80%, discount 10%: 100 x 0.8 / (1 + 0.1 - 0.8) = 266.67
    assert clv(100.0, 0.8, 0.10) == pytest.approx(266.6667, abs=1e-4)
    series = sum(100 * 0.8**t / 1.1**t for t in range(1, 400))
    assert clv(100.0, 0.8, 0.10) == pytest.approx(series)
    with pytest.raises(InputDataError):
        clv(100.0, 1.2, 0.1)


def test_margin_models_by_book_type():
    data = pd.DataFrame({"balance": [10_000.0], "spend": [50_000.0], "revolving": [2_000.0], "products": [2]})
    deposits = MarginModel.for_book("deposits").margin(data).iloc[0]
    assert deposits == pytest.approx(10_000 * 0.015 + 2 * 60 + 20)
    # cards: 0.45% interchange on spend + revolving x (18.25% APR - 2.5% funding - 3% losses)
    cards = MarginModel.for_book("cards").margin(data).iloc[0]
    assert cards == pytest.approx(50_000 * 0.0045 + 2_000 * (0.1825 - 0.025 - 0.03))
    loans = MarginModel.for_book("loans").margin(data).iloc[0]
    assert loans == pytest.approx(10_000 * (0.02 - 0.008) + 2 * 60)


def test_an_extract_in_another_currency_is_converted_at_intake(tmp_path):
    path = tmp_path / "usd.csv"
    pd.DataFrame({"id": [1, 2], "left": [0, 1], "spend": [50_000.0, 0.0], "revolving": [2_000.0, 0.0],
                  "salary": [1_000.0, 3_000.0]}).to_csv(path, index=False)
    mapping = tmp_path / "usd.yaml"
    mapping.write_text("currency: usd\nfx_rate: 7.1\nbook_type: cards\ncolumns:\n  id: {role: id}\n  left: {role: churned}\n"
                       "  spend: {role: spend}\n  revolving: {role: revolving}\n  salary: {role: feature, type: money}\n", encoding="utf-8")
    extract = load_customer_extract(path, mapping)
    assert extract.data["spend"].tolist() == [355_000.0, 0.0] and extract.data["salary"].tolist() == [7_100.0, 21_300.0]
    assert extract.notes == ("amounts converted from USD at 7.1 CNY per USD",)
    usd = MarginModel.for_book("cards").margin(extract.data).iloc[0]
    assert usd == pytest.approx(7.1 * 50_000 * 0.0045 + 7.1 * 2_000 * (0.1825 - 0.025 - 0.03))


@pytest.mark.parametrize("name", ["public", "chinese", "card"])
def test_all_four_value_risk_quadrants_are_populated(extracts, models, name):
    values = customer_value(extracts[name], models[name])
    assert (values["clv_at_risk"] <= values["clv"] + 1e-9).all()
    segments = value_risk_segments(values)
    assert list(segments.index) == ["high value, high risk", "high value, low risk", "low value, high risk", "low value, low risk"]
    assert (segments["customers"] > 0).all() and segments["customers"].sum() == len(values)
    assert segments.loc[["high value, high risk", "high value, low risk"], "customers"].sum() == len(values) // 2
    assert segments["clv_at_risk"].sum() == pytest.approx(values["clv_at_risk"].sum())


def test_personal_data_never_reaches_an_output(files, extracts, models):
    for name, (path, _) in files.items():
        raw = pd.read_csv(path, dtype=str)
        id_column = {"public": "CustomerId", "chinese": "客户编号", "card": "CLIENTNUM"}[name]
        secret = set(raw[id_column]) | (set(raw["Surname"]) if "Surname" in raw else set()) | \
            (set(raw["客户姓名"]) if "客户姓名" in raw else set())
        extract, model = extracts[name], models[name]
        values = customer_value(extract, model)
        tables = [extract.data, values.reset_index(), value_risk_segments(values).reset_index(), model.coefficients.reset_index(),
                  model.deciles, model.driver_table]
        for table in tables:
            text = set(table.astype(str).to_numpy().ravel()) | set(map(str, table.columns))
            assert not (text & secret), f"{name}: an id or a name leaked"


def test_every_problem_of_an_extract_is_listed_without_ids(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"cust_id": ["S-1001", "S-1002", "S-1002", None, "S-1005", "S-1006"],
                  "Exited": ["0", "1", "maybe", "0", "1", "0"],
                  "Age": ["41", "x", "39", "50", "61", "33"],
                  "Balance": ["100", "200", "300", "-5", "0", "10"]}).to_csv(path, index=False)
    mapping = tmp_path / "bad.yaml"
    mapping.write_text("columns:\n  cust_id: {role: id}\n  Exited: {role: churned}\n  Age: {role: feature, type: numeric}\n"
                       "  Balance: {role: balance}\n  Missing_Col: {role: feature}\n", encoding="utf-8")
    report = validate_customer_extract(path, mapping)
    assert not report.ok
    assert [str(p) for p in report.errors] == ["bad.csv, column 'Missing_Col': error: mapped column 'Missing_Col' is not in the file; "
                                               "expected one of the file's columns: cust_id, Exited, Age, Balance"]
    mapping.write_text("columns:\n  cust_id: {role: id}\n  Exited: {role: churned}\n  Age: {role: feature, type: numeric}\n"
                       "  Balance: {role: balance}\n", encoding="utf-8")
    report = validate_customer_extract(path, mapping)
    text = report.format()
    assert "bad.csv, row 4, column 'cust_id': error: customer id repeats an earlier row" in text
    assert "bad.csv, row 5, column 'cust_id': error: customer id is empty" in text
    assert "bad.csv, row 4, column 'Exited': error: churn flag is not one of the mapped values (value 'maybe')" in text
    assert "bad.csv, row 3, column 'Age': error: not a number (value 'x')" in text
    assert "bad.csv, row 5, column 'Balance': warning: negative amount" in text
    assert "bad.csv, column 'Exited': error: churn flag has 1 text value(s) ('maybe') and no value labels; expected values:" in text
    assert "S-100" not in text
    with pytest.raises(InputDataError, match="5 error\\(s\\)") as caught:
        load_customer_extract(path, mapping)
    assert "S-100" not in str(caught.value)


def test_an_empty_cell_says_so(tmp_path):
    path = tmp_path / "gaps.csv"
    pd.DataFrame({"id": [1, 2, 3, 4], "left": [0, 1, 0, 1], "bal": [10.0, None, 30.0, 5.0]}).to_csv(path, index=False)
    report = validate_customer_extract(path, {"customer_id": "id", "churned": "left", "balance": "bal"})
    assert report.ok
    assert [str(p) for p in report.warnings] == ["gaps.csv, row 3, column 'bal': warning: the cell is empty (filled with the median, "
                                                 "or the level 'unknown', in the model); expected a value"]


def test_a_text_flag_needs_its_labels(tmp_path):
    path = tmp_path / "flag.csv"
    pd.DataFrame({"id": [1, 2, 3], "status": ["gone", "here", "here"], "x": [1, 2, 3]}).to_csv(path, index=False)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  id: {role: id}\n  status: {role: churned}\n  x: {role: feature}\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="row 2, column 'status': error: churn flag is not one of the mapped values"):
        load_customer_extract(path, mapping)
    mapping.write_text("columns:\n  id: {role: id}\n  status: {role: churned, values: {gone: 1, here: 0}}\n  x: {role: feature}\n",
                       encoding="utf-8")
    assert load_customer_extract(path, mapping).data["churned"].tolist() == [1, 0, 0]


@pytest.mark.parametrize("frame, message", [
    ({"id": [1, 2], "left": [1, 1], "x": [1, 2]}, "every customer churned"),
    ({"id": [1, 2], "left": [0, 0], "x": [1, 2]}, "every customer stayed"),
    ({"id": [1, 2], "x": [1, 2]}, "no column was recognised as the 'churned'"),
])
def test_bad_extracts(tmp_path, frame, message):
    path = tmp_path / "bad.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    with pytest.raises(InputDataError, match=message):
        load_customer_extract(path)


def test_ridge_fit_matches_statsmodels_fit_regularized():
    import statsmodels.api as sm

    from analysis_lib.customers.churn_model import _ridge

    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(800), rng.normal(size=(800, 4))])
    y = (rng.random(800) < 1 / (1 + np.exp(-(x[:, 1] - 0.5 * x[:, 2])))).astype(float)

    def objective(data, beta, alpha):
        eta = data @ beta
        return np.mean(np.logaddexp(0, eta) - y * eta) + 0.5 * alpha @ beta**2

    for penalty in (1e-3, 1e-1):
        alpha = np.r_[0.0, np.full(4, penalty)]
        model = sm.GLM(y, x, family=sm.families.Binomial())
        reference = model.fit_regularized(alpha=alpha, L1_wt=0.0, opt_method="bfgs", start_params=np.zeros(5))
        np.testing.assert_allclose(_ridge(x, y, penalty), reference.params, atol=1e-4)
    # nearly collinear columns: the penalty keeps the problem well posed; Newton reaches at least statsmodels' optimum
    near = np.column_stack([x, x[:, 1] + 1e-3 * rng.normal(size=800)])
    alpha = np.r_[0.0, np.full(5, 1e-3)]
    reference = sm.GLM(y, near, family=sm.families.Binomial()).fit_regularized(alpha=alpha, L1_wt=0.0, opt_method="bfgs",
                                                                                start_params=np.zeros(6))
    ours = _ridge(near, y, 1e-3)
    assert objective(near, ours, alpha) <= objective(near, reference.params, alpha) + 1e-12
    # the two copies share the weight the single column had
    assert ours[1] + ours[5] == pytest.approx(_ridge(x, y, 1e-3)[1], abs=0.02) and min(ours[1], ours[5]) > 0.2


def test_money_in_ten_thousands_is_scaled(tmp_path):
    path = tmp_path / "wan.csv"
    pd.DataFrame({"客户号": [1, 2, 3, 4], "流失标志": ["是", "否", "否", "是"], "存款余额": [1.5, 0, 2, 0.25]}).to_csv(path, index=False)
    mapping = tmp_path / "wan.yaml"
    mapping.write_text("columns:\n  客户号: {role: id}\n  流失标志: {role: churned, values: {是: 1, 否: 0}}\n"
                       "  存款余额: {role: balance, unit: 万元}\n", encoding="utf-8")
    assert load_customer_extract(path, mapping).data["balance"].tolist() == [15_000, 0, 20_000, 2_500]
    mapping.write_text("columns:\n  客户号: {role: id}\n  流失标志: {role: churned}\n  存款余额: {role: balance, unit: lakh}\n",
                       encoding="utf-8")
    with pytest.raises(InputDataError, match="column '存款余额': money unit 'lakh' is not one of"):
        load_customer_extract(path, mapping)
