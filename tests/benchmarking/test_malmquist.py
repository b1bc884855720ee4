import numpy as np
import pandas as pd
import pytest

from analysis_lib.benchmarking.malmquist import INDEX_COLUMNS, malmquist
from analysis_lib.errors import InputDataError

from conftest import load_reference, shared_path

CASES = load_reference("malmquist_cases.json")


def long_panel(case: dict) -> pd.DataFrame:
    """A reference case's ``{column: {period: [values per DMU]}}`` as a long panel."""
    rows = []
    for period in case["periods"]:
        for k, dmu in enumerate(case["dmus"]):
            row = {"unit": dmu, "period": period}
            for column, by_period in {**case["inputs"], **case["outputs"]}.items():
                row[column] = by_period[period][k]
            rows.append(row)
    return pd.DataFrame(rows)


def run_case(case: dict, orientation: str | None = None):
    base = "fixed" if "fixbase" in case["id"] else "adjacent"
    return malmquist(long_panel(case), list(case["inputs"]), list(case["outputs"]),
                     orientation=orientation or case["orientation"], base=base, base_period=case["periods"][0])


def expected_values(case: dict):
    for measure, values in case["expected"].items():
        for key, value in values.items():
            dmu, first, second = key.split("|")
            yield measure, (dmu, first, second), value


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_cases(case):
    table = run_case(case).table
    checked = 0
    for measure, key, value in expected_values(case):
        assert table.loc[key, measure] == pytest.approx(value, abs=case["tolerance"]), (case["id"], measure, key)
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("case", [c for c in CASES if c.get("crs_results_orientation_invariant")], ids=lambda c: c["id"])
def test_crs_indices_do_not_depend_on_orientation(case):
    a, b = run_case(case, "input").table, run_case(case, "output").table
    columns = ["malmquist", "efficiency_change", "technical_change"]
    np.testing.assert_allclose(a[columns].to_numpy(float), b[columns].to_numpy(float), atol=1e-9)


def test_deap_distances_and_geometric_means():
    case = next(c for c in CASES if c["id"] == "MQ2")
    result = run_case(case)
    distances = result.distances.set_index(["unit", "data_period", "technology_period", "rts"])["distance"]
    own = case["expected_distances"]["crs_own_period"]
    for key, value in own.items():
        dmu, period = key.split("|")
        assert distances[dmu, period, period, "crs"] == pytest.approx(value, abs=case["tolerance"])
    summary = result.summary()
    for key, means in case["expected_summary"].items():
        if not key.startswith("mean|"):
            continue
        _, first, second = key.split("|")
        for measure, value in means.items():
            assert summary.loc[(first, second), measure] == pytest.approx(value, abs=case["tolerance"]), (key, measure)


def test_decomposition_identities_on_a_multi_input_bank_panel():
    frames = []
    for period in (1, 2, 3):
        frame = pd.read_csv(shared_path("datasets", f"banks_panel_247_p{period}.csv")).head(60)
        frames.append(frame.assign(period=period))
    panel = pd.concat(frames).rename(columns={"bank_id": "unit"})
    result = malmquist(panel, ["STEXP", "FASUM", "INPSUM"], ["LNSUM", "DBSUM", "INCSUM"])
    table = result.table.dropna()
    assert len(table) >= 100
    np.testing.assert_allclose(table["malmquist"], table["efficiency_change"] * table["technical_change"], rtol=1e-12)
    np.testing.assert_allclose(table["efficiency_change"], table["pure_efficiency_change"] * table["scale_efficiency_change"], rtol=1e-12)
    own = result.distances[result.distances["data_period"] == result.distances["technology_period"]]
    assert own["distance"].max() <= 1 + 1e-7 and own["distance"].min() > 0


def test_multi_input_distances_match_the_dea_module():
    from analysis_lib.benchmarking.dea import dea

    frame = pd.read_csv(shared_path("datasets", "banks_panel_247_p1.csv")).head(40)
    panel = pd.concat([frame.assign(period=1), frame.assign(period=2)]).rename(columns={"bank_id": "unit"})
    inputs, outputs = ["STEXP", "FASUM", "INPSUM"], ["LNSUM", "DBSUM", "INCSUM"]
    result = malmquist(panel, inputs, outputs)
    distances = result.distances.query("data_period == 1 and technology_period == 1")
    for rts in ("crs", "vrs"):
        ours = distances[distances["rts"] == rts].set_index("unit")["distance"].sort_index()
        theirs = dea(frame.set_index("bank_id")[inputs], frame.set_index("bank_id")[outputs], rts=rts).efficiency.sort_index()
        np.testing.assert_allclose(ours.to_numpy(), theirs.to_numpy(), atol=1e-7)
    # identical data in both periods: no change at all
    np.testing.assert_allclose(result.table[list(INDEX_COLUMNS)].to_numpy(float), 1.0, atol=1e-7)


def test_unbalanced_panel_skips_units_with_a_note():
    case = next(c for c in CASES if c["id"] == "MQ1")
    panel = long_panel(case)
    panel = panel[~((panel["unit"] == "5") & (panel["period"] == "2"))]
    result = malmquist(panel, ["x"], ["y"])
    assert ("5", "1", "2") not in result.table.index and ("5", "2", "3") not in result.table.index
    assert any("not observed in both periods" in note and "5" in note for note in result.notes)
    assert result.table.loc[("1", "1", "2"), "malmquist"] == pytest.approx(2.0)


@pytest.mark.parametrize("change, message", [
    ({"orientation": "Input"}, "orientation 'Input'"),
    ({"base": "chain"}, "base 'chain'"),
])
def test_bad_arguments_are_refused(change, message):
    panel = long_panel(CASES[0])
    with pytest.raises(InputDataError, match=message):
        malmquist(panel, ["x"], ["y"], **change)


def test_bad_values_and_duplicates_are_refused():
    panel = long_panel(CASES[0])
    with pytest.raises(InputDataError, match=r"row 3, column 'x'.*non-negative"):
        malmquist(panel.assign(x=panel["x"].where(panel.index != 2, -1.0)), ["x"], ["y"])
    with pytest.raises(InputDataError, match="appears more than once"):
        malmquist(pd.concat([panel, panel.head(1)]), ["x"], ["y"])
    with pytest.raises(InputDataError, match="at least two periods"):
        malmquist(panel[panel["period"] == "1"], ["x"], ["y"])
