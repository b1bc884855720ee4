"""A bank that leads its peers and needs no programme: its report shows
"Sustaining the lead" in place of the delivery sections, a business case
that makes no investment case, and a deck, data pack and summary.json that
agree; a bank with a programme keeps every delivery section."""

import re

import numpy as np
import pandas as pd
import pytest

from analysis_lib.plan.watchlist import LEVELS, lead_watchlist
from analysis_lib.reference.catalog import load_catalog
from analysis_lib.report.action_titles import action_title
from analysis_lib.report.datapack import BUILDERS, PROGRAMME_SHEETS, datapack_tables
from analysis_lib.report.deck import deck_payload
from analysis_lib.report.diagnostic import run_diagnostic
from analysis_lib.report.rendering import SECTION_ORDER, section_html
from analysis_lib.report.sustain import DELIVERY_SECTIONS

from conftest import SAMPLE_PANEL


def _designed_leader(path) -> str:
    """CITY-04 of the sample panel with every metric at its peer group's
    85th percentile in the metric's good direction: a designed leader."""
    panel = pd.read_csv(SAMPLE_PANEL)
    catalog = load_catalog()
    panel[catalog.ids] = panel[catalog.ids].astype(float)
    peers = panel[panel["peer_group"] == "city_commercial"]
    sign = catalog.sign()
    row = panel["institution_id"] == "CITY-04"
    for metric in catalog.ids:
        level = peers[metric].quantile(0.85 if sign[metric] > 0 else 0.15)
        if np.isfinite(level):
            panel.loc[row, metric] = level
    panel.to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    designed = _designed_leader(tmp_path_factory.mktemp("panel") / "leader.csv")
    return {"jsb_en": run_diagnostic(institution_id="JSB-01", mc_draws=1000),
            "jsb_zh": run_diagnostic(institution_id="JSB-01", mc_draws=1000, language="zh"),
            "designed": run_diagnostic(institution_id="CITY-04", mc_draws=1000, panel_path=designed),
            "city": run_diagnostic(institution_id="CITY-02", mc_draws=1000)}


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("kind", ["jsb_en", "jsb_zh", "designed"])
def test_a_leader_gets_sustaining_the_lead_and_no_delivery_section(reports, kind):
    diag = reports[kind]
    assert diag.sustains_lead and not diag.recommended
    for key in DELIVERY_SECTIONS:
        assert section_html(diag, key) == "", key
    html = section_html(diag, "sustain")
    assert 'id="sustain"' in html and ("保持领先" if diag.language == "zh" else "Sustaining the lead") in html
    assert '<p class="action-title">' in html and 'class="report-table compact watchlist"' in html
    case = section_html(diag, "business_case")
    assert ("不作投资论证" if diag.language == "zh" else "No investment case is made") in case
    assert "<table" not in case and "<figure" not in case  # no NPV, cash-flow, scenario or Monte Carlo tables for a declined case


def test_the_designed_leader_is_declined_for_its_data_but_still_sustains(reports):
    verdict = reports["designed"].recommendation()
    assert verdict.verdict == "fix_data_first" and "leads_peers" in verdict.economic_reasons


def test_the_watch_list_thresholds_are_the_peer_quartiles_in_each_metrics_direction(reports):
    diag = reports["jsb_en"]
    watch = diag.watchlist().set_index("metric_id")
    panel = pd.read_csv(SAMPLE_PANEL)
    peers = panel[panel["peer_group"] == "joint_stock"]
    # higher is better, top quarter: the peers' P75; lower is better, top quarter: their P25
    assert watch.at["system_availability", "threshold"] == pytest.approx(peers["system_availability"].quantile(0.75))
    assert watch.at["system_availability", "threshold"] == pytest.approx(0.999415, abs=1e-6)
    assert watch.at["data_error_rate", "threshold"] == pytest.approx(peers["data_error_rate"].quantile(0.25))
    assert watch.at["data_error_rate", "threshold"] == pytest.approx(0.043175, abs=1e-9)
    # second quarter (mass-market acquisition cost, lower is better): watched against the peer median
    assert watch.at["acq_cost_mass", "level"] == "median"
    assert watch.at["acq_cost_mass", "threshold"] == pytest.approx(peers["acq_cost_mass"].median())
    # below the median (complaints, lower is better): watched against the bottom-quartile boundary, the peers' P75
    assert watch.at["complaints_per_10k", "role"] == "behind" and watch.at["complaints_per_10k", "level"] == "bottom_quartile"
    assert watch.at["complaints_per_10k", "threshold"] == pytest.approx(2.44, abs=1e-9)
    card = diag.scorecard().set_index("metric_id")
    leads = watch[watch["role"] == "lead"]
    assert len(leads) == 3 and leads["percentile"].min() == pytest.approx(card["percentile"].max())
    thin = watch[watch["role"] == "thinnest"]
    others = card[(card["percentile"] >= LEVELS["median"]) & ~card.index.isin(leads.index)]
    assert len(thin) == 3 and set(thin.index) <= set(others.index)
    assert (watch["owner_en"].notna() & watch["frequency"].isin(["monthly", "quarterly"])).all()


def test_each_role_of_the_watch_list_including_a_metric_that_worsened():
    values = {"nps": (100.0, 99.0), "customer_satisfaction": (90.0, 98.0), "digital_active_ratio": (80.0, 97.0),
              "feature_adoption": (21.0, 60.0), "retention_hnw": (20.5, 55.0), "retention_mass": (20.2, 52.0),
              "clv_capability": (50.0, 90.0), "complaints_per_10k": (25.0, 40.0)}
    card = pd.DataFrame({"metric_id": list(values), "value": [v for v, _ in values.values()],
                         "percentile": [p for _, p in values.values()]})
    quartiles = pd.DataFrame({"p25": 10.0, "p50": 20.0, "p75": 30.0}, index=list(values))
    change = pd.Series({"clv_capability": -0.05, "nps": 0.5})
    watch = lead_watchlist(card, quartiles, change).set_index("metric_id")
    assert watch["role"].to_dict() == {"nps": "lead", "customer_satisfaction": "lead", "digital_active_ratio": "lead",
                                       "retention_mass": "thinnest", "retention_hnw": "thinnest", "feature_adoption": "thinnest",
                                       "complaints_per_10k": "behind", "clv_capability": "slipping"}
    assert watch.at["retention_mass", "threshold"] == 20.0 and watch.at["retention_mass", "headroom"] == pytest.approx(0.01)
    assert watch.at["complaints_per_10k", "threshold"] == 30.0  # lower is better: the bottom-quartile boundary is P75
    assert watch.at["clv_capability", "threshold"] == 30.0 and watch.at["clv_capability", "change"] == pytest.approx(-0.05)
    without = lead_watchlist(card, quartiles)
    assert "slipping" not in set(without["role"])


def test_the_leaders_first_100_days_adopt_the_watch_list(reports):
    plan = reports["jsb_en"].hundred_days()
    assert any("watch-list" in a for a in plan["action_en"]) and not any("programme as scoped" in a for a in plan["action_en"])


def test_a_programme_bank_keeps_every_delivery_section(reports):
    city = reports["city"]
    assert city.recommended and not city.sustains_lead
    assert section_html(city, "sustain") == ""
    for key in DELIVERY_SECTIONS:
        assert f'id="{key}"' in section_html(city, key), key
    assert "No investment case" not in section_html(city, "business_case") and "<figure" in section_html(city, "business_case")
    assert list(datapack_tables(city)) == list(BUILDERS)
    summary = city.summary()
    assert summary["sustain_lead"] is False and summary["programme_initiatives"] and summary["npv"] > 0


@pytest.mark.parametrize("kind", ["jsb_en", "jsb_zh"])
def test_deck_data_pack_and_summary_agree_with_the_report(reports, kind):
    diag = reports[kind]
    shown = [k for k in SECTION_ORDER if k != "cover" and section_html(diag, k)]
    payload = deck_payload(diag)
    assert [s["key"] for s in payload["slides"]] == shown
    assert not set(shown) & set(DELIVERY_SECTIONS) and "sustain" in shown
    slides = {s["key"]: s for s in payload["slides"]}
    assert slides["sustain"]["title"] == action_title(diag, "sustain") and slides["sustain"]["tables"]
    tables = datapack_tables(diag)
    assert not set(tables) & set(PROGRAMME_SHEETS) and "watchlist" in tables
    summary = diag.summary()
    assert summary["sustain_lead"] is True and summary["programme_initiatives"] == [] and summary["programme"] is None
    assert summary["npv"] is None and summary["programme_cost"] is None
    assert summary["reference_case"]["programme_initiatives"] == list(diag.programme)
    sheet = tables["watchlist"].frame
    assert list(sheet.iloc[:, 0]) == [w["metric_id"] for w in summary["watchlist"]]
    assert np.allclose(sheet.iloc[:, 6].astype(float), [w["threshold"] for w in summary["watchlist"]])
    assert not tables["initiatives"].frame.iloc[:, 4].any()  # no initiative is "in the programme"


def test_the_chinese_section_reads_in_chinese(reports):
    html = section_html(reports["jsb_zh"], "sustain")
    assert not re.search(r"\b(monthly|quarterly|Top|quartile|lead)\b", _text(html))
    assert "领先幅度最大" in html and "重新评估阈值" in html and "连续两期" in html


def test_a_part_with_no_applicable_section_shows_nothing_in_the_notebook(reports):
    from analysis_lib.report.rendering import show

    delivery = ("roadmap", "risk", "kpi_tracking", "organisation", "data_protection")
    assert show(reports["jsb_en"], *delivery) is None  # no empty output cell, so no blank page in the PDF
    assert 'id="roadmap"' in show(reports["city"], *delivery).data


def test_with_history_the_watch_list_names_the_metrics_that_worsened_and_the_next_years_review():
    from analysis_lib.report.sustain import review_sentence

    diag = run_diagnostic(institution_id="JSB-01", mc_draws=1000, panel_path=str(SAMPLE_PANEL.parent / "institutions_history.csv"))
    watch = diag.watchlist().set_index("metric_id")
    history = pd.read_csv(SAMPLE_PANEL.parent / "institutions_history.csv")
    own = history[history["institution_id"] == "JSB-01"].sort_values("period")
    expected = -(own["complaints_per_10k"].iloc[-1] - own["complaints_per_10k"].iloc[-2])  # lower is better: a rise is a worsening
    assert watch.at["complaints_per_10k", "role"] == "slipping" and watch.at["complaints_per_10k", "change"] == pytest.approx(expected)
    assert expected == pytest.approx(-0.37)
    assert (watch.loc[watch["role"] == "slipping", "change"] < 0).all()
    assert "the 2026 figures" in review_sentence(diag, "en") and "2026年度数据" in review_sentence(diag, "zh")
