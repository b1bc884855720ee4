import numpy as np
import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.gaps.gap import gaps_for
from analysis_lib.plan.scorecard import PROGRAMME_YEARS, alert, kpi_scorecard, load_tracking
from analysis_lib.reference.catalog import DIMENSIONS, load_catalog


@pytest.fixture(scope="module")
def card_and_gaps(sample_panel):
    frame = sample_panel.latest().data
    institution = frame.set_index("institution_id").loc["CITY-02"]
    gaps = gaps_for(institution, frame, "top_quartile").gaps
    return kpi_scorecard(gaps), gaps


def test_every_catalog_kpi_has_an_owner_source_and_frequency():
    tracking = load_tracking()
    assert set(tracking.index) == set(load_catalog().ids)
    assert tracking[["owner_en", "owner_zh", "data_source_en", "data_source_zh"]].notna().all().all()


def test_scorecard_covers_the_six_dimensions_and_reaches_the_targets(card_and_gaps):
    card, gaps = card_and_gaps
    assert set(card["dimension"]) == set(DIMENSIONS)
    with_target = gaps.dropna(subset=["current", "target"])
    assert len(card) == len(with_target)
    merged = card.merge(with_target[["metric_id", "target"]], on="metric_id")
    final = merged[f"target_year_{PROGRAMME_YEARS}"]
    higher = merged["direction"] == "higher_better"
    expected = np.where(higher, np.maximum(merged["target"], merged["baseline"]), np.minimum(merged["target"], merged["baseline"]))
    np.testing.assert_allclose(final, expected)
    steps = card[[f"target_year_{y}" for y in range(1, PROGRAMME_YEARS + 1)]].to_numpy()
    path = np.column_stack([card["baseline"].to_numpy(), steps])
    moves = np.diff(path, axis=1)
    assert (moves[higher.to_numpy()] >= -1e-12).all() and (moves[~higher.to_numpy()] <= 1e-12).all()
    # the red threshold of a year is the previous year's target
    np.testing.assert_allclose(card["red_below_year_1"], card["baseline"])
    np.testing.assert_allclose(card["red_below_year_3"], card["target_year_2"])


def test_alerts_follow_the_path(card_and_gaps):
    card, _ = card_and_gaps
    row = card.set_index("metric_id").loc["crm_opex_ratio"]
    assert row["direction"] == "lower_better"
    assert alert(card, "crm_opex_ratio", 2, float(row["target_year_2"])) == "green"
    between = (float(row["target_year_2"]) + float(row["target_year_1"])) / 2
    assert alert(card, "crm_opex_ratio", 2, between) == "amber"
    assert alert(card, "crm_opex_ratio", 2, float(row["baseline"])) == "red"


def test_bad_tracking_data_is_refused(tmp_path):
    bad = tmp_path / "kpi_tracking.csv"
    bad.write_text("metric_id,owner_en,owner_zh,data_source_en,data_source_zh,frequency\nnps,a,b,c,d,weekly\n", encoding="utf-8")
    with pytest.raises(InputDataError, match="frequency 'weekly'"):
        load_tracking(bad)
    gaps = pd.DataFrame({"metric_id": ["nps"], "dimension": ["experience"], "direction": ["higher_better"], "unit": ["points"],
                         "current": [20.0], "target": [30.0]})
    with pytest.raises(InputDataError, match="at least one programme year"):
        kpi_scorecard(gaps, years=0)
    with pytest.raises(InputDataError, match="no owner"):
        kpi_scorecard(gaps, tracking=load_tracking().drop(index="nps"))


def test_kpis_without_an_initiative_behind_them_are_held_at_baseline():
    gaps = pd.DataFrame({"metric_id": ["nps", "crm_systems_count"], "dimension": ["experience", "cost"],
                         "direction": ["higher_better", "lower_better"], "unit": ["score", "count"], "current": [20.0, 4.0],
                         "target": [35.0, 2.0]})
    card = kpi_scorecard(gaps, moved={"nps"}).set_index("metric_id")
    assert card.at["nps", "target_year_3"] == 35.0 and card.at["nps", "target_year_1"] == 25.0
    assert card.at["crm_systems_count", "target_year_3"] == 4.0 and card.at["crm_systems_count", "red_below_year_1"] == 4.0
