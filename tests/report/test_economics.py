"""One programme, the same numbers everywhere: a report's summary.json, its
business-case tables, executive summary, waterfall, roadmap workstreams and
resource plan agree; the demo's business cases are ones a bank CFO can
believe."""

import html as html_lib
import json
import re

import pandas as pd
import pytest

from analysis_lib.batch.runner import run_batch
from analysis_lib.report.diagnostic import run_diagnostic
from analysis_lib.report.narrative import findings, render
from analysis_lib.report.text import money_m

from conftest import REPO, SAMPLE_PANEL

CREDIBLE_IRR = (0.08, 0.60)
"""Above the 8% discount rate (the hurdle), at most 60%: bank technology
programmes are funded at a 10-15% hurdle and credible CRM cases land below
about 60% (data/plausibility.csv flags anything above 80%)."""
CREDIBLE_PAYBACK = (1.5, 4.0)
"""Years from programme start: a nine-month build and a ramp-up make less than
18 months implausible; more than four years is rarely approved."""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    run_batch(SAMPLE_PANEL, institutions=["CITY-02"], formats=("html",), workers=1, out=out, run_id="econ", progress=False,
              params={"customer_extract": str(REPO / "data" / "sample" / "customers.csv"),
                      "customer_mapping": str(REPO / "data" / "sample" / "customers.mapping.yaml"), "mc_draws": 2000})
    folder = out / "econ" / "CITY-02"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    page = (folder / "CITY-02.html").read_text(encoding="utf-8")
    manifest = (out / "econ" / "manifest.csv").read_text(encoding="utf-8")
    return summary, page, manifest


def _table(page: str, css: str) -> list[list[str]]:
    """Rows (lists of cell texts) of the report table with class ``css``."""
    match = re.search(rf'<table class="report-table {css}">(.*?)</table>', page, re.S)
    assert match, css
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    return [[html_lib.unescape(c) for c in re.findall(r"<t[dh]>(.*?)</t[dh]>", row, re.S)] for row in rows]


def _million(text: str) -> float:
    return float(text.replace(",", "")) * 1e6


def test_the_same_initiatives_and_totals_everywhere(report):
    summary, page, manifest = report
    names = {"training_adoption": "Training and adoption programme", "data_governance": "Data governance and quality controls",
             "process_reengineering": "Process re-engineering and agile delivery",
             "ai_marketing": "AI recommendation and marketing automation", "churn_early_warning": "Churn early-warning and retention programme",
             "cdp_consolidation": "Consolidate CRM systems on a customer data platform"}
    programme = summary["programme_initiatives"]
    assert programme and summary["programme_recommended"]
    expected = [names[i] for i in programme]
    # business case: benefit lines, one per programme initiative, and their total
    benefit = _table(page, "benefit-lines")
    assert [row[0] for row in benefit[1:-1]] == expected
    assert _million(benefit[-1][3]) == pytest.approx(summary["risk_adjusted_benefit"], abs=0.051e6)
    # roadmap workstreams: the same initiatives
    assert [row[0] for row in _table(page, "workstreams")[1:]] == expected
    # programme table: selected = the programme, every other initiative dropped with a reason
    selection = {row[0]: row for row in _table(page, "programme")[1:]}
    assert [n for n, row in selection.items() if row[1] == "yes"] == expected
    assert len(selection) == 9 and set(summary["dropped_initiatives"]).isdisjoint(programme)
    assert len(summary["dropped_initiatives"]) + len(programme) == 9
    assert all(row[3].startswith(("benefit only", "no gap")) for row in selection.values() if row[1] == "no")
    # cost lines: the resource plan's total is the internal labour line; contingency = the risk page's reserve
    costs = {row[0]: row for row in _table(page, "cost-lines")[1:]}
    resources = _table(page, "resource-plan")
    assert _million(costs["Programme team (resource plan)"][2]) == pytest.approx(_million(resources[-1][2]), abs=1)
    assert _million(costs["Programme team (resource plan)"][2]) == pytest.approx(summary["cost_lines"]["internal_labour"], abs=0.051e6)
    assert _million(costs["Contingency (risk reserve, P80)"][2]) == pytest.approx(summary["contingency"], abs=0.051e6)
    assert f"carries the P80 reserve, {money_m(summary['contingency'])}, as its contingency" in page
    assert _million(costs["Overall"][2]) == pytest.approx(summary["programme_cost"], abs=0.051e6)
    # executive summary: the programme's initiatives, cost and NPV
    summary_text = html_lib.unescape(re.search(r'<ol class="findings">(.*?)</ol>', page, re.S).group(1))
    assert f"The programme of {len(programme)} initiatives ({'; '.join(expected)}) costs {money_m(summary['programme_cost'])}" in summary_text
    assert f"NPV {money_m(summary['npv'])}" in summary_text
    # waterfall: steps are programme initiatives only, and they add up; with no cost step a sentence replaces it
    found = re.search(r'alt="(CRM cost waterfall: [^"]*)"', page)
    if found is None:
        assert "None of the programme's initiatives lowers the CRM cost itself" in page
    else:
        steps = html_lib.unescape(found.group(1)).split(": ", 1)[1].split("; ")
        labels = [s.rsplit(" ", 1)[0] for s in steps]
        assert labels[0] == "Current CRM cost" and labels[-1] == "CRM cost after the programme"
        assert set(labels[1:-1]) <= set(expected) and len(labels) > 2
        amounts = [float(s.rsplit(" ", 1)[1].replace(",", "")) for s in steps]
        assert amounts[0] + sum(amounts[1:-1]) == pytest.approx(amounts[-1], abs=0.2)
    # value-chain bridge: ends at the risk-adjusted benefit of the summary
    bridge = html_lib.unescape(re.search(r'alt="value chain bridge: ([^"]*)"', page).group(1)).split("; ")
    assert bridge[0].startswith("Value at stake ") and _million(bridge[0].rsplit(" ", 1)[1]) == pytest.approx(summary["value_at_stake"],
                                                                                                              abs=0.051e6)
    assert _million(bridge[-1].rsplit(" ", 1)[1]) == pytest.approx(summary["risk_adjusted_benefit"], abs=0.051e6)
    # the sample institution is consistent and inside every plausibility bound
    assert summary["plausibility_warnings"] == [] and summary["consistency_breaks"] == []
    assert 'class="plausibility-warning"' not in page


def test_implausible_and_inconsistent_input_is_flagged_in_report_summary_and_manifest(tmp_path):
    panel = pd.read_csv(SAMPLE_PANEL)
    row = panel["institution_id"] == "CITY-02"
    panel.loc[row, "customers_per_rm"] = 300  # implies more relationship managers than employees
    panel.loc[row, "products_per_customer"] = 1.0  # far below peers: the value at stake passes 15% of revenue
    path = tmp_path / "panel.csv"
    panel.to_csv(path, index=False)
    run_batch(path, institutions=["CITY-02"], formats=("html",), workers=1, out=tmp_path, run_id="broken", progress=False,
              params={"mc_draws": 1000})
    folder = tmp_path / "broken" / "CITY-02"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    page = html_lib.unescape((folder / "CITY-02.html").read_text(encoding="utf-8"))
    manifest = (tmp_path / "broken" / "manifest.csv").read_text(encoding="utf-8")
    assert summary["plausibility_warnings"][0].startswith("Value at stake above 15% of revenue")
    assert summary["consistency_breaks"] == ["implied_rms_within_employees"]
    assert summary["recommendation"]["verdict"] == "fix_data_first"
    assert 'class="plausibility-warning"' in page and "implied_rms_within_employees" in page
    assert "Value at stake above 15% of revenue" in manifest and "consistency rule broken: implied_rms_within_employees" in manifest


@pytest.mark.parametrize("institution_id, extract", [("CITY-02", True), ("RURAL-02", False)])
def test_demo_business_cases_are_credible(institution_id, extract):
    params = {"customer_extract": str(REPO / "data" / "sample" / "customers.csv"),
              "customer_mapping": str(REPO / "data" / "sample" / "customers.mapping.yaml")} if extract else {}
    diag = run_diagnostic(institution_id=institution_id, mc_draws=5000, **params)
    assert diag.recommended
    assert CREDIBLE_IRR[0] < diag.case.irr <= CREDIBLE_IRR[1]
    assert CREDIBLE_PAYBACK[0] <= diag.case.payback_years <= CREDIBLE_PAYBACK[1]
    assert 0.5 <= diag.simulation.prob_npv_positive < 0.99  # risky, not a sure thing
    revenue = float(diag.institution["revenue"])
    assert diag.value_chain.totals()["risk_adjusted_benefit"] / revenue < 0.03
    assert not set(diag.plausibility.index[diag.plausibility["breached"]]) & {"irr_ceiling", "payback_floor", "benefit_revenue"}


def test_a_strong_bank_gets_no_programme():
    diag = run_diagnostic(institution_id="JSB-01", mc_draws=2000)
    assert not diag.recommended and diag.case.npv < 0
    finding = next(f for f in findings(diag) if f.kind == "business_case")
    assert render(finding, "en", "JSB-01").startswith("No initiative clears the selection rule, so no upgrade programme is recommended")


def test_selected_initiatives_that_do_not_carry_shared_costs_are_not_recommended():
    diag = run_diagnostic(institution_id="RURAL-14", mc_draws=1000)  # a small programme: the fixed team and reserve outweigh it
    assert diag.rule_selected and not diag.recommended and diag.case.npv < 0
    finding = next(f for f in findings(diag) if f.kind == "business_case")
    assert "do not carry the programme's shared costs" in render(finding, "en", "RURAL-14")
    from analysis_lib.report.rendering import section_html

    assert "not recommended as scoped" in section_html(diag, "business_case")
    assert diag.summary()["programme_rule_selected"] and not diag.summary()["programme_recommended"]


def test_base_case_median_and_range_agree_in_summary_executive_summary_and_business_case(report):
    """The base case sits above the simulated median by design (delays and
    overruns are skewed): summary.json, the executive summary and the
    business case give base, P50 and P10–P90 side by side, with the reason."""
    summary, page, _ = report
    assert summary["npv_p10"] < summary["npv_p50"] < summary["npv"] < summary["npv_p90"]
    assert 0.6 < summary["npv_p50"] / summary["npv"] < 0.95
    words = [money_m(summary[k]) for k in ("npv", "npv_p50", "npv_p10", "npv_p90")]
    executive = html_lib.unescape(page[page.index('id="executive_summary"'):page.index('id="scorecard"')])
    case = html_lib.unescape(page[page.index('id="business_case"'):page.index('id="roadmap"')])
    for text in (executive, case):
        assert all(w in text for w in words), words
        assert "delays and cost overruns are skewed to the downside" in text
    assert f"<td>NPV, simulated median (P50) (CNY m)</td><td>{summary['npv_p50'] / 1e6:,.1f}</td>" in page
