"""The portfolio view of a batch: first wave, concentration and clusters
computed from the summaries alone and reproducible; the summary's sections
in both languages at 1,000 institutions; the offline index sorts and filters
(read in headless Chromium)."""

from __future__ import annotations

import json
import math
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis_lib.batch.index_page import index_html
from analysis_lib.batch.portfolio import (
    LIST_LIMIT,
    WAVE_COVER,
    WAVE_MAX,
    Portfolio,
    by_peer_group,
    clusters,
    concentration,
    first_wave,
    load_portfolio,
    ranking,
    silhouette,
    summary_frame,
)
from analysis_lib.batch.portfolio_report import REVIEW_SECTIONS, SECTION_ORDER, section_html
from analysis_lib.batch.synthetic_run import write_synthetic_run
from analysis_lib.report.export import find_browser
from analysis_lib.report.notebook_builder import PORTFOLIO_SECTIONS

LARGE = 1000


@pytest.fixture(scope="module")
def large_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("portfolio") / "synthetic"
    truth = write_synthetic_run(run_dir, institutions=LARGE, seed=7)
    return run_dir, truth


@pytest.fixture(scope="module")
def large(large_run):
    return load_portfolio(large_run[0])


def _expected_wave(summaries: pd.DataFrame) -> list[str]:
    """The first-wave rule, written out independently of the library."""
    ready = [i for i, r in summaries["recommendation"].items() if r["economic_verdict"] in ("proceed", "pilot_first")
             and r["verdict"] in ("proceed", "pilot_first")]
    table = summaries.loc[ready]
    priority = table["risk_adjusted_benefit"].clip(lower=0).to_numpy() * table["prob_npv_positive"].to_numpy() * table["data_quality"].to_numpy() / 100
    order = sorted(range(len(ready)), key=lambda k: (-priority[k], ready[k]))
    wave, held = [], 0.0
    for k in order:
        if held >= WAVE_COVER * priority.sum() - 1e-9 or len(wave) == WAVE_MAX:
            break
        wave.append(ready[k])
        held += priority[k]
    return wave


# ------------------------------------------------------------------ computed from the summaries


def test_first_wave_follows_its_stated_rule(large):
    wave = first_wave(large)
    assert list(wave.wave.index) == _expected_wave(large.summaries)
    assert 1 <= len(wave.wave) <= WAVE_MAX
    assert wave.wave["priority"].is_monotonic_decreasing
    # every wave member's programme pays back and its data carry a decision; those that must fix their data come after
    assert set(large.verdicts().loc[wave.wave.index, "verdict"]) <= {"proceed", "pilot_first"}
    assert (wave.wave["npv"] > 0).all()
    after = large.verdicts().loc[wave.after_fix.index]
    assert len(after) and set(after["verdict"]) == {"fix_data_first"} and set(after["economic_verdict"]) <= {"proceed", "pilot_first"}
    assert wave.after_fix["priority"].is_monotonic_decreasing


def test_first_wave_is_reproducible_whatever_the_order_of_the_manifest(large_run, large, tmp_path):
    copy = tmp_path / "shuffled"
    shutil.copytree(large_run[0], copy)
    manifest = pd.read_csv(copy / "manifest.csv", dtype=str, keep_default_na=False)
    manifest.sample(frac=1.0, random_state=3).to_csv(copy / "manifest.csv", index=False)
    shuffled = load_portfolio(copy)
    assert list(first_wave(shuffled).wave.index) == list(first_wave(large).wave.index)
    assert clusters(shuffled).labels.sort_index().equals(clusters(large).labels.sort_index())


def test_concentration_is_the_top_tenth_share_of_value_at_stake(large):
    values = np.sort(large.summaries["value_at_stake"].clip(lower=0).to_numpy())[::-1]
    top = math.ceil(0.1 * len(values))
    c = concentration(large.summaries["value_at_stake"])
    assert c.top_count == top == 98  # 980 complete reports of 1,000
    assert c.top_share == pytest.approx(values[:top].sum() / values.sum(), rel=1e-12)
    assert c.half_count == int(np.argmax(np.cumsum(values) >= 0.5 * values.sum())) + 1
    # the synthetic groups differ in size a hundredfold, so value concentrates
    assert 0.6 < c.top_share < 0.95


def test_concentration_of_an_even_portfolio_is_its_headcount_share():
    c = concentration(pd.Series([5.0] * 20))
    assert (c.top_count, c.half_count) == (2, 10) and c.top_share == pytest.approx(0.1)


def test_clusters_recover_the_profiles_the_institutions_were_drawn_from(large_run, large):
    result = clusters(large)
    assert result.k == 4  # chosen by the silhouette among 2-8
    assert result.silhouettes.idxmax() == 4 and result.silhouettes[4] > 0.6
    table = pd.crosstab(result.labels, large_run[1].reindex(result.labels.index))
    purity = table.max(axis=1).sum() / table.to_numpy().sum()
    assert purity > 0.98 and (table.idxmax(axis=1).nunique() == 4)
    assert result.profiles["institutions"].sum() == len(large.summaries)
    assert result.profiles["institutions"].is_monotonic_decreasing  # cluster 1 is the largest
    assert clusters(large).labels.equals(result.labels)  # deterministic


def test_silhouette_matches_its_definition():
    rng = np.random.default_rng(5)
    points = rng.normal(size=(30, 3))
    labels = rng.integers(0, 3, 30)
    values = []
    for i in range(30):
        d = np.linalg.norm(points - points[i], axis=1)
        own = labels == labels[i]
        a = d[own].sum() / (own.sum() - 1)
        b = min(d[labels == g].mean() for g in set(labels) if g != labels[i])
        values.append((b - a) / max(a, b))
    assert silhouette(points, labels) == pytest.approx(np.mean(values), rel=1e-12)


def test_totals_by_peer_group_add_up(large):
    groups = by_peer_group(large)
    body = groups.drop(index="total")
    assert body["institutions"].sum() == groups.at["total", "institutions"] == len(large.summaries)
    assert body["value_at_stake"].sum() == pytest.approx(large.summaries["value_at_stake"].sum(), rel=1e-9)
    assert groups.at["total", "first_wave"] == len(first_wave(large).wave)


def test_rankings_show_the_ends_beyond_the_limit(large):
    table, left_out = ranking(large.summaries, "score_overall")
    assert len(table) == 20 and left_out == len(large.summaries) - 20
    assert table["score_overall"].iloc[0] == large.summaries["score_overall"].max()
    assert table["score_overall"].iloc[-1] == large.summaries["score_overall"].min()


# ------------------------------------------------------------------ the summary's sections


def _rows(html: str) -> list[int]:
    return [len(re.findall("<tr", body)) for body in re.findall("<tbody>(.*?)</tbody>", html, flags=re.S)]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_sections_at_a_thousand_institutions(large, language):
    pages = {key: section_html(large, key, language) for key in SECTION_ORDER}
    assert pages["productivity"] == ""  # one period
    for key, html in pages.items():
        if key in ("productivity", "cover"):
            continue
        assert html.count("<h2>") == 1, key
        assert all(n <= LIST_LIMIT for n in _rows(html)), key  # no table runs to one row per institution
    wave = first_wave(large).wave
    assert all(i in pages["first_wave"] for i in wave.index)
    assert pages["clusters"].count("data:image/svg+xml;base64,") == 1
    if language == "en":
        assert "The top 10% of institutions hold" in pages["summary"]
        assert "980 of 1000 institutions complete, 20 failed" in pages["summary"]
        assert "Value at stake (CNY bn a year)" in pages["summary"]
    else:
        text = re.sub("<[^>]+>", "", pages["summary"])
        assert "价值空间（亿元/年）" in text and "建议首批从" in text


ALLOWED_LATIN = {"CRM", "NPV", "IRR", "DEA", "KPI", "CRS", "P", "M", "n", "SOB", "JSB", "CITY", "RURAL", "FRGN", "Malmquist", "summary", "json",
                 "index", "html", "manifest", "csv", "synthetic", "panel", "bn", "m", "CNY"}


def test_chinese_edition_has_no_untranslated_words(large):
    words = set()
    for key in SECTION_ORDER:
        text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", section_html(large, key, "zh"), flags=re.S)
        text = re.sub(r"\bSynthetic [a-z ]+\d{4}\b|[A-Z]+-\d+|cell \d+: .*?number", " ", text)  # names, ids and errors are data
        words |= set(re.findall(r"[A-Za-z]+", text))
    assert words <= ALLOWED_LATIN, sorted(words - ALLOWED_LATIN)


def test_notebook_has_one_cell_per_section():
    assert PORTFOLIO_SECTIONS == SECTION_ORDER


def test_a_batch_of_progress_reviews_gets_a_portfolio_summary(tmp_path):
    rows = [{"institution_id": f"CITY-{k:02d}", "baseline_period": "2024", "review_period": "2025", "score_overall_baseline": 40.0 + k,
             "score_overall_review": 38.0 + 2 * k, "kpis_red": k % 3, "kpis_amber": 1, "kpis_green": 4, "malmquist": 0.95 + 0.01 * k,
             "efficiency_change": 1.0, "technical_change": 0.95 + 0.01 * k, "benefit_realisation": 0.6 + 0.05 * k, "revised_npv": 1e7 * k}
            for k in range(1, 31)]
    manifest = pd.DataFrame({"institution_id": [r["institution_id"] for r in rows], "folder": [r["institution_id"] for r in rows],
                             "status": "ok", "error": "", "html": "", "pdf": "", "duration_s": "3"})
    portfolio = Portfolio(tmp_path, manifest, summary_frame(rows), {"parameters": {"kind": "review", "language": "zh"}})
    html = {key: section_html(portfolio, key, "zh") for key in SECTION_ORDER}
    assert {k for k, v in html.items() if v} == set(REVIEW_SECTIONS)
    assert "30家机构中有28家综合得分提升" in re.sub("<[^>]+>", "", html["summary"])  # score change 2k - 2 - k > 0 from k = 3
    assert "CITY-30" in html["rankings"] and "CITY-01" in html["rankings"]
    assert '<table id="institutions"' in index_html(portfolio)


# ------------------------------------------------------------------ the index


def test_index_markup_is_self_contained(large_run, large):
    page = index_html(large)
    assert page.count("<tr ") == LARGE  # one row per institution, failures included
    assert "<script>" in page and 'src="' not in page and "http" not in re.sub(r'href="[^"]*"', "", page) \
        and "@import" not in page and "url(" not in page
    headers = re.findall(r'<th data-type="(\w+)"', page)
    assert headers.count("number") >= 6 and "text" in headers
    assert 'href="portfolio_summary.html"' in page and 'href="CITY-0001/CITY-0001.pdf"' in page
    failed = large.failures()["institution_id"].iloc[0]
    assert f'href="{failed}/internal/{failed}.ipynb"' in page and "InputDataError" in page


browser = pytest.mark.skipif(find_browser() is None, reason="needs a Chromium browser")


@browser
def test_index_sorts_and_filters_in_a_browser(large_run, large):
    from playwright.sync_api import sync_playwright

    run_dir = large_run[0]
    (run_dir / "index.html").write_text(index_html(large, "en"), encoding="utf-8")
    wave = list(first_wave(large).wave.index)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=find_browser(), args=["--no-sandbox"], headless=True)
        page = chromium.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((run_dir / "index.html").as_uri())
        assert page.locator("#shown").inner_text() == str(LARGE)
        # sort by overall score, highest first (second click)
        header = page.locator("th", has_text="Overall score")
        header.click()
        header.click()
        first = page.locator("#institutions tbody tr").first.locator("td").first.inner_text().split("\n")[0]
        assert first == large.summaries["score_overall"].idxmax()
        assert header.get_attribute("aria-sort") == "descending"
        # filter: peer group, then first wave only, then a search
        page.select_option("select[data-filter=group]", "large_state_owned")
        expected = int((large.summaries["peer_group"] == "large_state_owned").sum())
        assert page.locator("#shown").inner_text() == str(expected)
        page.select_option("select[data-filter=group]", "")
        page.check("#wave-only")
        assert page.locator("#shown").inner_text() == str(len(wave))
        visible = page.locator("#institutions tbody tr:not([hidden])").all()
        assert sorted(r.locator("td").first.inner_text().split("\n")[0] for r in visible) == sorted(wave)
        page.uncheck("#wave-only")
        page.fill("#search", wave[0].lower())
        assert page.locator("#shown").inner_text() == "1"
        chromium.close()
    assert all(url.startswith("file://") for url in requests)


def test_index_written_by_the_runner_keeps_the_statuses(tmp_path):
    from analysis_lib.batch.runner import read_manifest, write_index

    write_synthetic_run(tmp_path / "r", institutions=40, seed=2, failed_share=0.1)
    path = write_index(tmp_path / "r", read_manifest(tmp_path / "r"))
    page = path.read_text(encoding="utf-8")
    assert page.count('class="status-failed"') == 4 and page.count('class="status-ok"') == 36


@pytest.mark.parametrize("rows", [
    [{"institution_id": "A"}, {"institution_id": "B"}],  # a notebook that records no summary
    [{"institution_id": "A", "peer_group": "city_commercial", "score_overall": 50.0, "value_at_stake": 5e6}, {"institution_id": "B"}],
])
def test_sections_of_summaries_without_results_are_empty_not_errors(rows, tmp_path):
    manifest = pd.DataFrame({"institution_id": ["A", "B"], "folder": ["A", "B"], "status": "ok", "error": "", "html": "", "pdf": "",
                             "duration_s": "1"})
    portfolio = Portfolio(tmp_path, manifest, summary_frame(rows), {})
    for language in ("en", "zh"):
        html = {key: section_html(portfolio, key, language) for key in SECTION_ORDER}
        assert html["summary"] and html["unknowns"] and not html["clusters"].count("<img")
    assert index_html(portfolio).count("<tr ") == 2


def test_summary_frame_reads_an_empty_value_as_missing():
    frame = summary_frame([{"institution_id": "A", "npv": None, "irr": 0.2, "name": "A bank"}])
    assert math.isnan(frame.at["A", "npv"]) and frame.at["A", "irr"] == 0.2


def test_a_truncated_summary_is_a_one_line_error(large_run, tmp_path):
    from analysis_lib.errors import InputDataError

    copy = tmp_path / "broken"
    shutil.copytree(large_run[0], copy)
    (copy / "CITY-0001" / "summary.json").write_text('{"institution_id": "CITY-', encoding="utf-8")
    with pytest.raises(InputDataError, match=r"CITY-0001/summary.json: not a readable summary .*--resume"):
        load_portfolio(copy)


def test_run_record_gives_the_language(large_run, tmp_path):
    copy = tmp_path / "zh"
    shutil.copytree(large_run[0], copy)
    record = json.loads((copy / "run.json").read_text())
    record["parameters"]["language"] = "zh"
    (copy / "run.json").write_text(json.dumps(record))
    assert load_portfolio(copy).language == "zh"
