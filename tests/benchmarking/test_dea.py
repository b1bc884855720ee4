"""DEA against the published cases in shared/reference/dea_cases.json and on
the real bank panels in shared/datasets/."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis_lib.benchmarking.dea import cost_efficiency, dea, efficiency_summary, super_efficiency
from analysis_lib.errors import InputDataError

from conftest import load_reference, shared_path

CASES = load_reference("dea_cases.json")
MODELS = {
    "crs_input_theta": ("crs", "input"),
    "vrs_input_theta": ("vrs", "input"),
    "crs_output_phi": ("crs", "output"),
    "vrs_output_phi": ("vrs", "output"),
}


def _frames(case):
    index = pd.Index(case["dmus"], name="dmu")
    return pd.DataFrame(case["inputs"], index=index), pd.DataFrame(case["outputs"], index=index)


SCORE_CASES = [(c, key) for c in CASES for key in MODELS if key in c["expected"]]


@pytest.mark.parametrize("case, key", SCORE_CASES, ids=[f"{c['id']}-{k}" for c, k in SCORE_CASES])
def test_scores_match_reference(case, key):
    x, y = _frames(case)
    rts, orientation = MODELS[key]
    result = dea(x, y, rts=rts, orientation=orientation)
    np.testing.assert_allclose(result.efficiency.to_numpy(), case["expected"][key], atol=case["tolerance"])


LAMBDA_CASES = [(c, key) for c in CASES for key in ("lambdas_crs_input", "lambdas_crs_output") if key in c["expected"]]


@pytest.mark.parametrize("case, key", LAMBDA_CASES, ids=[f"{c['id']}-{k}" for c, k in LAMBDA_CASES])
def test_lambdas_match_reference(case, key):
    x, y = _frames(case)
    result = dea(x, y, rts="crs", orientation=key.split("_")[-1])
    for unit, peers in case["expected"][key].items():
        row = result.lambdas.loc[unit]
        assert set(row[row > 1e-9].index) == set(peers), unit
        for peer, weight in peers.items():
            assert row[peer] == pytest.approx(weight, abs=case["tolerance"])


@pytest.mark.parametrize("case", [c for c in CASES if "slacks_crs_input" in c["expected"]], ids=lambda c: c["id"])
def test_slacks_match_reference_and_targets_are_feasible(case):
    x, y = _frames(case)
    result = dea(x, y)
    for unit, slacks in case["expected"]["slacks_crs_input"].items():
        for column, value in slacks.items():
            assert result.slacks.loc[unit, column] == pytest.approx(value, abs=case["tolerance"])
    # targets are reached by the peers: X'λ = target inputs, Y'λ = target outputs
    lam = result.lambdas.to_numpy()
    peers = result.lambdas.columns
    np.testing.assert_allclose(lam @ x.loc[peers].to_numpy(), result.targets[x.columns].to_numpy(), atol=1e-6)
    np.testing.assert_allclose(lam @ y.loc[peers].to_numpy(), result.targets[y.columns].to_numpy(), atol=1e-6)


@pytest.mark.parametrize("case", [c for c in CASES if "super_crs_input" in c["expected"]], ids=lambda c: c["id"])
def test_super_efficiency_matches_reference(case):
    x, y = _frames(case)
    result = super_efficiency(x, y)
    np.testing.assert_allclose(result["score"].to_numpy(), case["expected"]["super_crs_input"], atol=case["tolerance"])
    assert (result["status"] == "optimal").all()


def test_super_efficiency_reports_infeasible_units():
    # VRS output-oriented: no other unit uses as little input as unit 0, so Σλx ≤ x_0 with Σλ = 1 has no solution
    x = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    y = pd.DataFrame({"y": [1.0, 3.0, 4.0, 4.5, 6.0]})
    result = super_efficiency(x, y, rts="vrs", orientation="output")
    assert result.loc[0, "status"] == "infeasible" and np.isnan(result.loc[0, "score"])
    assert (result["status"].iloc[1:] == "optimal").all()


@pytest.mark.parametrize("case", [c for c in CASES if "cost_efficiency_crs" in c["expected"]], ids=lambda c: c["id"])
def test_cost_efficiency_matches_reference(case):
    x, y = _frames(case)
    prices = pd.DataFrame(case["prices"]["inputs"], index=x.index)
    result = cost_efficiency(x, y, prices)
    np.testing.assert_allclose(result["cost_efficiency"].to_numpy(), case["expected"]["cost_efficiency_crs"], atol=case["tolerance"])
    np.testing.assert_allclose(result["allocative"] * result["technical"], result["cost_efficiency"])


def test_scale_efficiency():
    case = next(c for c in CASES if c["id"] == "D1")
    x, y = _frames(case)
    summary = efficiency_summary(x, y)
    np.testing.assert_allclose(summary["scale_efficiency"], np.array(case["expected"]["crs_input_theta"]) / 1.0, atol=1e-6)


def _bank_panels():
    panels = {}
    for period in (1, 2, 3):
        frame = pd.read_csv(shared_path("datasets", f"banks_panel_247_p{period}.csv"), index_col="bank_id")
        panels[f"panel247-p{period}"] = (frame[["STEXP", "FASUM", "INPSUM"]], frame[["LNSUM", "DBSUM", "INCSUM"]])
    eba = pd.read_csv(shared_path("datasets", "banks_eba_2023q3.csv"))
    eba.index = eba["Bank"].where(~eba["Bank"].duplicated(), eba["Bank"] + "-dup")
    panels["eba"] = (eba[["x1", "x2", "x3"]], eba[["y1", "y2"]])
    taiwan = pd.read_csv(shared_path("datasets", "banks_taiwan_2010.csv"), index_col="bank")
    panels["taiwan"] = (taiwan[["Financial.funds", "Labor", "Physical.capital"]], taiwan[["Finalcial.investments", "Loans", "Revenue"]])
    return panels


@pytest.mark.parametrize("name", ["panel247-p1", "panel247-p2", "panel247-p3", "eba", "taiwan"])
def test_real_bank_panels_solve_cleanly(name, recwarn):
    x, y = _bank_panels()[name]
    crs = dea(x, y, "crs", "input")
    vrs = dea(x, y, "vrs", "input", slacks=False)
    out = dea(x, y, "crs", "output", slacks=False)
    assert len(recwarn) == 0, [str(w.message) for w in recwarn]
    assert crs.efficiency.between(0, 1 + 1e-7).all() and vrs.efficiency.between(0, 1 + 1e-7).all()
    assert (out.efficiency >= 1 - 1e-7).all()
    assert (crs.efficiency <= vrs.efficiency + 1e-7).all()
    # CRS: output orientation is the reciprocal of input orientation
    np.testing.assert_allclose(crs.efficiency * out.efficiency, 1, atol=1e-6)
    assert crs.efficient().any()


def test_scaling_columns_fixes_what_an_unscaled_solver_gets_wrong():
    x, y = _bank_panels()["panel247-p2"]
    scaled = dea(x * 1000, y, "crs", "input", slacks=False).efficiency
    plain = dea(x, y, "crs", "input", slacks=False).efficiency
    np.testing.assert_allclose(scaled, plain, atol=1e-7)


unit_values = st.floats(min_value=1.0, max_value=100.0, allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(unit_values, unit_values, unit_values), min_size=6, max_size=12), st.floats(min_value=1e-3, max_value=1e6))
def test_properties(units, factor):
    data = np.array(units)
    x = pd.DataFrame({"x1": data[:, 0], "x2": data[:, 1]})
    y = pd.DataFrame({"y": data[:, 2]})
    base = dea(x, y, slacks=False).efficiency
    # scaling an input column leaves radial scores unchanged
    rescaled = x.assign(x1=x["x1"] * factor)
    np.testing.assert_allclose(dea(rescaled, y, slacks=False).efficiency, base, atol=1e-6)
    # a unit that dominates another is at least as efficient
    dominant = pd.concat([x.iloc[[0]] * 0.9, x]).reset_index(drop=True), pd.concat([y.iloc[[0]] * 1.1, y]).reset_index(drop=True)
    scores = dea(*dominant, slacks=False).efficiency
    assert scores[0] >= scores[1] - 1e-9
    # the score does not depend on the order of the units
    order = np.random.default_rng(len(units)).permutation(len(x))
    shuffled = dea(x.iloc[order].reset_index(drop=True), y.iloc[order].reset_index(drop=True), slacks=False).efficiency
    np.testing.assert_allclose(shuffled.to_numpy(), base.to_numpy()[order], atol=1e-7)


@pytest.mark.parametrize(
    "x, y, message",
    [
        ({"x": [1.0, -2.0, 3.0]}, {"y": [1.0, 2.0, 3.0]}, "negative"),
        ({"x": [1.0, np.nan, 3.0]}, {"y": [1.0, 2.0, 3.0]}, "missing or not finite"),
        ({"x": [1.0, 2.0, 3.0]}, {"y": [1.0, 0.0, 3.0]}, "has no positive output"),
        ({"x": [0.0, 2.0, 3.0]}, {"y": [1.0, 2.0, 3.0]}, "has no positive input"),
        ({"x1": [1.0, 2.0], "x2": [1.0, 2.0]}, {"y": [1.0, 2.0]}, "at least as many units"),
    ],
)
def test_bad_inputs_are_clear_errors(x, y, message):
    with pytest.raises(InputDataError, match=message):
        dea(pd.DataFrame(x), pd.DataFrame(y))


def _plain_lp_score(x: np.ndarray, y: np.ndarray, o: int, rts: str, orientation: str) -> float:
    """The envelopment LP of one unit over all units, column-scaled, with a
    fresh scipy linprog: the textbook formulation the kept-alive model must
    reproduce."""
    from scipy.optimize import linprog

    x, y = x / x.mean(axis=0), y / y.mean(axis=0)
    n, m, s = len(x), x.shape[1], y.shape[1]
    if orientation == "input":
        c, a_ub, b_ub = np.r_[1.0, np.zeros(n)], np.block([[-x[o][:, None], x.T], [np.zeros((s, 1)), -y.T]]), np.r_[np.zeros(m), -y[o]]
    else:
        c, a_ub, b_ub = np.r_[-1.0, np.zeros(n)], np.block([[np.zeros((m, 1)), x.T], [y[o][:, None], -y.T]]), np.r_[x[o], np.zeros(s)]
    convex = np.r_[0.0, np.ones(n)][None, :]
    a_eq, b_eq = (convex, [1.0]) if rts == "vrs" else (None, None)
    if rts == "nirs":
        a_ub, b_ub = np.vstack([a_ub, convex]), np.r_[b_ub, 1.0]
    result = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=[(None, None)] + [(0, None)] * n, method="highs")
    assert result.status == 0
    return abs(result.fun)


@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("name", [c["id"] for c in CASES] + ["taiwan"])
def test_kept_alive_model_matches_a_fresh_lp_per_unit(name, rts, orientation):
    if name == "taiwan":
        x, y = _bank_panels()["taiwan"]
    else:
        x, y = _frames(next(c for c in CASES if c["id"] == name))
    scores = dea(x, y, rts, orientation).efficiency.to_numpy()
    plain = [_plain_lp_score(x.to_numpy(float), y.to_numpy(float), o, rts, orientation) for o in range(len(x))]
    np.testing.assert_allclose(scores, plain, rtol=0, atol=1e-9)


def test_no_solver_banner_reaches_standard_output():
    # a report kernel forwards the process's standard output into the report
    import subprocess
    import sys

    code = "import pandas as pd\nfrom analysis_lib.benchmarking.dea import dea\ndea(pd.DataFrame({'x': [1.0, 2, 3]}), pd.DataFrame({'y': [1.0, 3, 2]}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "" and out.stderr == ""


# Returns to scale on a degenerate frontier: A (1, 1) and B (2, 2) lie on the same CRS ray, so a unit projected
# onto that ray has many CRS optima (all A, all B, or any mix), each with a different Σλ.
RTS_X = {"x": [1.0, 2.0, 4.0, 0.5, 2.0, 5.0]}
RTS_Y = {"y": [1.0, 2.0, 3.0, 0.25, 0.5, 2.5]}
RTS_UNITS = list("ABCEDF")
RTS_EXPECTED = {"A": "constant", "B": "constant", "C": "decreasing", "E": "increasing", "D": "increasing", "F": "decreasing"}


def _lambda_sum_range(x: pd.DataFrame, y: pd.DataFrame, unit: str, theta: float) -> tuple[float, float]:
    """Banker–Thrall: min and max Σλ over every CRS optimum of ``unit`` (θ fixed at its optimum)."""
    from scipy.optimize import linprog

    xs, ys, o = x.to_numpy(), y.to_numpy(), x.index.get_loc(unit)
    a_ub, b_ub = np.vstack([xs.T, -ys.T]), np.r_[theta * xs[o] + 1e-9, -ys[o] + 1e-9]
    low = linprog(np.ones(len(xs)), A_ub=a_ub, b_ub=b_ub, method="highs").fun
    high = -linprog(-np.ones(len(xs)), A_ub=a_ub, b_ub=b_ub, method="highs").fun
    return low, high


def test_returns_to_scale_is_unique_for_degenerate_units():
    x, y = pd.DataFrame(RTS_X, index=RTS_UNITS), pd.DataFrame(RTS_Y, index=RTS_UNITS)
    summary = efficiency_summary(x, y)
    assert summary["returns_to_scale"].to_dict() == RTS_EXPECTED
    # D and F are degenerate: several CRS optima, with Σλ over a range, all on one side of 1
    for unit, side in (("D", "increasing"), ("F", "decreasing")):
        low, high = _lambda_sum_range(x, y, unit, summary.at[unit, "crs"])
        assert high - low > 0.1, unit
        assert (high < 1) if side == "increasing" else (low > 1)
    np.testing.assert_allclose(summary.loc[["D", "F"], "scale_efficiency"], [0.75, 0.5 / 0.6])
    # the answer does not depend on which optimum the solver meets first
    for seed in range(4):
        order = np.random.default_rng(seed).permutation(len(x))
        shuffled = efficiency_summary(x.iloc[order], y.iloc[order])
        assert shuffled["returns_to_scale"].to_dict() == RTS_EXPECTED


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x, y: super_efficiency(x, y, rts="VRS"), "rts must be one of crs, vrs, nirs"),
        (lambda x, y: super_efficiency(x, y, orientation="Input"), "orientation must be one of input, output"),
        (lambda x, y: dea(x, y, rts="bcc"), "rts must be one of"),
        (lambda x, y: dea(x, y, orientation="in"), "orientation must be one of"),
        (lambda x, y: cost_efficiency(x, y, {"x1": 1.0, "x2": 3.0}, rts="VRS"), "rts must be one of"),
    ],
)
def test_every_model_checks_its_arguments_alike(call, message):
    case = next(c for c in CASES if c["id"] == "D1")
    with pytest.raises(InputDataError, match=message):
        call(*_frames(case))


def test_one_price_vector_serves_every_unit():
    case = next(c for c in CASES if c["id"] == "D1")
    x, y = _frames(case)
    full = pd.DataFrame(case["prices"]["inputs"], index=x.index)
    assert (full.nunique() == 1).all(), "D1 prices are the same for every unit"
    vector = full.iloc[0]
    expected = cost_efficiency(x, y, full)["cost_efficiency"].to_numpy()
    for prices in (vector, vector.to_dict(), vector.to_list(), vector.to_numpy(), full.iloc[[0]]):
        np.testing.assert_allclose(cost_efficiency(x, y, prices)["cost_efficiency"].to_numpy(), expected, atol=1e-12)


@pytest.mark.parametrize(
    "prices, message",
    [
        ([1.0], "one price per input"),
        ({"x1": 1.0, "labour": 3.0}, "one price per input"),
        (pd.DataFrame({"x1": [1.0] * 3, "x2": [3.0] * 3}), "one row per unit"),
        (pd.DataFrame({"x2": [3.0] * 5, "x1": [1.0] * 5}), "same order"),
        ([1.0, -3.0], "expected a finite number >= 0"),
    ],
)
def test_bad_prices_are_clear_errors(prices, message):
    case = next(c for c in CASES if c["id"] == "D1")
    x, y = _frames(case)
    with pytest.raises(InputDataError, match=message):
        cost_efficiency(x, y, prices)


def test_dea_runs_after_another_highs_user_started_the_scheduler():
    # HiGHS keeps one thread scheduler per process; DEA asks for one thread even when another user started it with more
    import subprocess
    import sys

    code = ("import highspy, pandas as pd\nh = highspy.Highs()\nh.setOptionValue('output_flag', False)\nh.addVars(1, [0.0], [1.0])\n"
            "h.run()\nfrom analysis_lib.benchmarking.dea import dea\n"
            "print(dea(pd.DataFrame({'x': [1.0, 2, 3]}), pd.DataFrame({'y': [1.0, 3, 2]})).efficiency.round(4).tolist())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[0.6667, 1.0, 0.4444]"
