"""The synthetic CNY sample extract of the demo bank, and the extract's
economics: currency, tenure unit and the gross-up to the whole book."""

import pandas as pd
import pytest

from analysis_lib.customers.extract import book_scale, load_customer_extract
from analysis_lib.customers.sample_extract import generate_sample_extract
from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import data_dir

from conftest import shared_path

SAMPLE = data_dir() / "sample" / "customers.csv"


def test_committed_sample_extract_is_what_the_generator_writes():
    committed = pd.read_csv(SAMPLE)
    pd.testing.assert_frame_equal(committed, generate_sample_extract(), check_dtype=False)


def test_sample_extract_is_consistent_with_the_demo_bank_and_not_the_public_file():
    bank = pd.read_csv(data_dir() / "sample" / "institutions.csv").set_index("institution_id").loc["CITY-02"]
    extract = pd.read_csv(SAMPLE)
    assert extract["Exited"].mean() == pytest.approx(1 - bank["retention_mass"], abs=0.01)
    assert extract["NumOfProducts"].mean() == pytest.approx(bank["products_per_customer"], abs=0.1)
    assert set(extract["Geography"]) <= {"East China", "North China", "South China", "Central China", "West China"}
    public = pd.read_csv(shared_path("datasets", "churn_modelling.csv"))
    assert "Surname" in public.columns and "Surname" not in extract.columns


def test_tenure_in_months_is_detected_or_declared(tmp_path):
    path = tmp_path / "months.csv"
    pd.DataFrame({"Exited": [0, 1, 0, 1], "Tenure": [3, 18, 72, 120]}).to_csv(path, index=False)
    mapping = {"churned": "Exited", "tenure": "Tenure"}
    detected = load_customer_extract(path, mapping)
    assert detected.data["tenure"].tolist() == [0.25, 1.5, 6.0, 10.0]
    assert detected.notes[0] == "tenure read in months (detected: the longest tenure, 120, is above 60) and converted to years"
    declared = load_customer_extract(path, mapping, tenure_unit="years")
    assert declared.data["tenure"].max() == 120 and declared.notes[0] == "tenure read in years (declared)"
    with pytest.raises(InputDataError, match="tenure unit 'weeks'"):
        load_customer_extract(path, mapping, tenure_unit="weeks")


def test_currencies_are_never_mixed(tmp_path):
    path = tmp_path / "eur.csv"
    pd.DataFrame({"Exited": [0, 1], "Balance": [1000.0, 0.0]}).to_csv(path, index=False)
    mapping = {"churned": "Exited", "balance": "Balance"}
    with pytest.raises(InputDataError, match=r"eur.csv: amounts are in EUR but the panel is in CNY; give the exchange rate"):
        load_customer_extract(path, mapping, currency="EUR")
    converted = load_customer_extract(path, mapping, currency="eur", fx_rate=7.8)
    assert converted.data["balance"].tolist() == [7800.0, 0.0]
    assert converted.notes[-1] == "amounts converted from EUR at 7.8 CNY per EUR"


def test_gross_up_is_shown_and_bounded():
    assert book_scale(25_096_085, 20_000) == pytest.approx(1254.80425)
    with pytest.raises(InputDataError, match="too small a sample"):
        book_scale(25_096_085, 999)
    with pytest.raises(InputDataError, match="more than the institution's"):
        book_scale(5_000, 20_000)
    with pytest.raises(InputDataError, match="grossed up 50,000 times"):
        book_scale(1e9, 20_000)
