"""Results that depend on the panel alone are computed once per panel
content and shared by its reports, which never change them."""

import shutil

import pandas as pd
import pytest

from analysis_lib.report import panel_results as shared_results
from analysis_lib.report.diagnostic import record_summary, run_diagnostic
from analysis_lib.report.panel_results import ANALYSES, panel_results, prime
from analysis_lib.report.rendering import SECTION_ORDER, section_html

from conftest import SAMPLE_PANEL


def _snapshot(results) -> dict:
    """Deep copies of every shared result."""
    return {"panel": results.panel.data.copy(deep=True), "latest": results.latest.data.copy(deep=True),
            "positioning": results.positioning.metrics.copy(deep=True), "scores": results.positioning.scores.copy(deep=True),
            "frontier": results.frontier.copy(deep=True), "quality": results.quality.copy(deep=True),
            "fits": {k: (v if isinstance(v, str) else v.table.copy(deep=True)) for k, v in results.expectations.items()}}


def test_reports_of_one_panel_share_its_results_and_leave_them_as_they_were(tmp_path):
    panel = tmp_path / "panel.csv"
    shutil.copy(SAMPLE_PANEL, panel)
    results = panel_results(panel).compute()
    before = _snapshot(results)
    for institution_id, language in (("CITY-02", "en"), ("JSB-01", "zh")):
        diag = run_diagnostic(institution_id=institution_id, panel_path=str(panel), mc_draws=1000, language=language)
        assert diag.validation is results.validation and diag.frontier is results.frontier and diag.positioning is results.positioning
        for key in SECTION_ORDER:
            section_html(diag, key)
        record_summary(diag)
    after = _snapshot(panel_results(panel))
    assert panel_results(panel) is results
    for name in ("panel", "latest", "positioning", "scores", "frontier", "quality"):
        pd.testing.assert_frame_equal(after[name], before[name], obj=name)
    for metric, fit in before["fits"].items():
        if isinstance(fit, str):
            assert after["fits"][metric] == fit
        else:
            pd.testing.assert_frame_equal(after["fits"][metric], fit)


def test_the_shared_results_are_what_each_analysis_gives_on_its_own():
    from analysis_lib.benchmarking.expectation import expectations_for
    from analysis_lib.benchmarking.positioning import position_panel
    from analysis_lib.intake.quality import quality_scores
    from analysis_lib.reference.catalog import load_catalog

    results = panel_results(SAMPLE_PANEL)
    frame = results.latest.data
    catalog = load_catalog()
    pd.testing.assert_frame_equal(results.positioning.metrics, position_panel(frame.copy(), catalog, fallback="all_banks").metrics)
    pd.testing.assert_frame_equal(results.quality, quality_scores(results.panel.data))
    shared = expectations_for(frame, "CITY-02", catalog.key_metrics(), fits=results.expectations)
    pd.testing.assert_frame_equal(shared, expectations_for(frame, "CITY-02", catalog.key_metrics()))


def test_a_changed_panel_file_is_read_again(tmp_path):
    panel = tmp_path / "panel.csv"
    shutil.copy(SAMPLE_PANEL, panel)
    first = panel_results(panel)
    frame = pd.read_csv(panel, dtype=str, keep_default_na=False)
    frame.loc[frame["institution_id"] == "CITY-02", "nps"] = "55"
    frame.to_csv(panel, index=False)
    second = panel_results(panel)
    assert second is not first and second.panel.sha256 != first.panel.sha256
    diag = run_diagnostic(institution_id="CITY-02", panel_path=str(panel), mc_draws=1000)
    assert diag.institution["nps"] == 55 and diag.stamp["input_sha256"] == second.panel.sha256


def test_another_peer_group_is_positioned_for_this_report_only():
    shared = panel_results(SAMPLE_PANEL).positioning
    diag = run_diagnostic(institution_id="CITY-02", peer_group="joint_stock", mc_draws=1000)
    assert diag.positioning is not shared and diag.peer_group == "joint_stock"
    own = diag.scorecard()
    assert set(own["peer_group"]) == {"joint_stock"}
    assert shared.institution("CITY-02")["peer_group"].eq("city_commercial").all()


def test_priming_computes_every_result_and_skips_what_cannot_be_read(tmp_path):
    bad = tmp_path / "empty.csv"
    bad.write_text("", encoding="utf-8")
    shared_results._RESULTS.clear()
    assert prime([str(SAMPLE_PANEL), str(bad), str(tmp_path / "missing.csv")]) == [str(SAMPLE_PANEL)]
    (results,) = shared_results._RESULTS.values()
    assert all(name in vars(results) for name in ANALYSES)


def test_a_panel_with_errors_still_names_them_before_any_analysis(tmp_path):
    from analysis_lib.errors import InputDataError

    frame = pd.read_csv(SAMPLE_PANEL, dtype=str, keep_default_na=False)
    frame.loc[frame["institution_id"] == "CITY-02", "revenue"] = "lots"
    panel = tmp_path / "bad.csv"
    frame.to_csv(panel, index=False)
    with pytest.raises(InputDataError, match="revenue"):
        run_diagnostic(institution_id="CITY-02", panel_path=str(panel), mc_draws=1000)
    assert run_diagnostic(institution_id="CITY-03", panel_path=str(panel), mc_draws=1000).institution_id == "CITY-03"
