"""The synthetic CNY sample extract of the demo bank, and the extract's
economics: currency, tenure unit and the gross-up to the whole book."""

import pandas as pd
import pytest

from analysis_lib.customers.extract import book_scale, load_customer_extract
from analysis_lib.customers.mapping import read_mapping
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


def test_committed_sample_mapping_is_the_proposed_one_with_years_declared(tmp_path):
    from analysis_lib.customers.sample_extract import sample_mapping, write_sample_extract

    written = write_sample_extract(tmp_path / "customers.csv")
    assert (tmp_path / "customers.mapping.yaml").read_text(encoding="utf-8") == sample_mapping().read_text(encoding="utf-8")
    assert written.read_bytes() == SAMPLE.read_bytes()
    mapping = read_mapping(sample_mapping())
    assert mapping.tenure_unit == "years" and mapping.currency == "CNY" and mapping.book_type == "deposits"
    assert mapping.entry("Segment").role == "segment" and mapping.entry("Geography").levels_zh["East China"] == "华东"
    extract = load_customer_extract(SAMPLE, sample_mapping())
    assert extract.notes == ("tenure read in years (declared)", "amounts in CNY") and not extract.warnings


def _write(tmp_path, frame, mapping_text):
    path = tmp_path / "extract.csv"
    pd.DataFrame(frame).to_csv(path, index=False)
    mapping = tmp_path / "extract.yaml"
    mapping.write_text(mapping_text, encoding="utf-8")
    return path, mapping


COLUMNS = "columns:\n  id: {role: id}\n  Exited: {role: churned}\n"


def test_tenure_in_months_is_detected_or_declared(tmp_path):
    frame = {"id": [1, 2, 3, 4], "Exited": [0, 1, 0, 1], "Tenure": [3, 18, 72, 120]}
    path, mapping = _write(tmp_path, frame, COLUMNS + "  Tenure: {role: tenure}\n")
    detected = load_customer_extract(path, mapping)
    assert detected.data["tenure"].tolist() == [0.25, 1.5, 6.0, 10.0]
    assert detected.notes[0] == "tenure read in months (detected: the longest tenure is 120) and converted to years"
    mapping.write_text("tenure_unit: years\n" + COLUMNS + "  Tenure: {role: tenure}\n", encoding="utf-8")
    declared = load_customer_extract(path, mapping)
    assert declared.data["tenure"].max() == 120 and declared.notes[0] == "tenure read in years (declared)"
    mapping.write_text("tenure_unit: weeks\n" + COLUMNS + "  Tenure: {role: tenure}\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="tenure_unit 'weeks' is not one of years, months, days"):
        load_customer_extract(path, mapping)


def test_an_ambiguous_tenure_is_read_as_years_with_a_warning(tmp_path):
    frame = {"id": [1, 2, 3, 4], "Exited": [0, 1, 0, 1], "Tenure": [3, 18, 22, 30]}
    path, mapping = _write(tmp_path, frame, COLUMNS + "  Tenure: {role: tenure}\n")
    extract = load_customer_extract(path, mapping)
    assert extract.data["tenure"].max() == 30 and extract.notes[0] == "tenure read in years (detected: the longest tenure is 30)"
    assert extract.warnings == ("Tenure: tenure column 'Tenure': values up to 30 could be months or years; read as years "
                                "(declare tenure_unit in the mapping)",)


def test_currencies_are_never_mixed(tmp_path):
    path, mapping = _write(tmp_path, {"id": [1, 2], "Exited": [0, 1], "Balance": [1000.0, 0.0]},
                           "currency: EUR\n" + COLUMNS + "  Balance: {role: balance}\n")
    with pytest.raises(InputDataError, match=r"extract.yaml: amounts are in EUR but the panel is in CNY; give fx_rate"):
        load_customer_extract(path, mapping)
    mapping.write_text("fx_rate: 7.8\n" + COLUMNS + "  Balance: {role: balance}\n", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"fx_rate 7.8 is given for amounts already in CNY"):
        load_customer_extract(path, mapping)
    mapping.write_text("currency: eur\nfx_rate: 7.8\n" + COLUMNS + "  Balance: {role: balance}\n", encoding="utf-8")
    converted = load_customer_extract(path, mapping)
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
