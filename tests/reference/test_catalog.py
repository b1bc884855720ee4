import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.reference.catalog import DIMENSIONS, UNIT_LABELS, UNITS, load_catalog, load_peer_groups, load_size_fields, normalise_header


def test_catalog_covers_six_dimensions_with_24_or_more_kpis():
    catalog = load_catalog()
    assert len(catalog) >= 24
    assert set(catalog.table["dimension"]) == set(DIMENSIONS)
    for dimension in DIMENSIONS:
        assert len(catalog.in_dimension(dimension)) >= 3, dimension


def test_every_unit_has_a_label_in_both_languages():
    assert set(UNIT_LABELS) == set(UNITS)
    assert all(labels["en"].strip() and labels["zh"].strip() for labels in UNIT_LABELS.values())
    catalog = load_catalog()
    scores = [m for m in catalog.ids if catalog.table.at[m, "unit"] == "score"]
    assert scores and all(catalog.unit_label(m, "en").startswith("score (") for m in scores)
    counts = {m: catalog.unit_label(m, "zh") for m in catalog.ids if catalog.table.at[m, "unit"] == "count"}
    assert counts == {"crm_systems_count": "套", "customers_per_rm": "户", "products_per_customer": "个", "complaints_per_10k": "件",
                      "open_api_integrations": "个"}  # each count in the measure word of what it counts
    assert {catalog.unit_label(m, "en") for m in counts} == {"count"}


def test_a_measure_word_belongs_to_count_metrics_only(tmp_path, monkeypatch):
    from analysis_lib.reference.catalog import data_dir

    table = pd.read_csv(data_dir() / "metrics.csv", dtype=str)
    table.loc[table["metric_id"] == "crm_opex_ratio", "measure_word_zh"] = "户"  # a ratio
    table.to_csv(tmp_path / "metrics.csv", index=False)
    monkeypatch.setenv("CRM_DIAG_DATA", str(tmp_path))
    with pytest.raises(InputDataError, match=r"measure_word_zh is for count metrics only; \['crm_opex_ratio'\]"):
        load_catalog()


@pytest.mark.parametrize(
    "metric_id, direction, unit",
    [
        ("crm_opex_ratio", "lower_better", "ratio"),
        ("cost_to_income", "lower_better", "ratio"),
        ("retention_hnw", "higher_better", "ratio"),
        ("response_time_hours", "lower_better", "hours"),
        ("acq_cost_hnw", "lower_better", "CNY"),
        ("nps", "higher_better", "score"),
        ("mttr_hours", "lower_better", "hours"),
        ("open_api_integrations", "higher_better", "count"),
    ],
)
def test_catalog_directions_and_units(metric_id, direction, unit):
    table = load_catalog().table
    assert table.at[metric_id, "direction"] == direction
    assert table.at[metric_id, "unit"] == unit


def test_catalog_is_typed_and_ranges_are_valid():
    table = load_catalog().table
    assert table["min"].dtype == float and table["max"].dtype == float
    assert (table["min"] < table["max"]).all()
    ratios = table[table["unit"] == "ratio"]
    assert (ratios["max"] <= 1.5).all() and (ratios["min"] >= 0).all()
    assert table["label_zh"].str.len().gt(0).all()
    assert table["key_metric"].dtype == bool and table["key_metric"].sum() >= 6


def test_sign_and_aliases():
    catalog = load_catalog()
    assert catalog.sign()["cost_to_income"] == -1.0
    assert catalog.sign()["nps"] == 1.0
    aliases = catalog.header_aliases()
    assert aliases[normalise_header("成本收入比")] == "cost_to_income"
    assert aliases[normalise_header(" Cost-to-income RATIO ")] == "cost_to_income"


def test_size_fields_and_peer_groups():
    sizes = load_size_fields()
    assert {"total_assets", "revenue", "customers", "employees"} <= set(sizes.index[sizes["required"]])
    groups = load_peer_groups()
    assert list(groups.index) == ["large_state_owned", "joint_stock", "city_commercial", "rural_commercial", "foreign", "all_banks"]
    assert isinstance(groups, pd.DataFrame) and groups["label_zh"].str.len().gt(0).all()
