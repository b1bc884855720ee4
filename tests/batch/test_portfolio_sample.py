"""The portfolio view of a real batch of the sample panel, through the
command line: index and portfolio summary written, the first wave read from
the reports' summaries, the PDF in both languages without near-empty
pages."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from analysis_lib.batch.portfolio import first_wave, load_portfolio, render_portfolio
from analysis_lib.report.export import find_browser

from conftest import SAMPLE_PANEL

IDS = ["SOB-05", "SOB-06", "JSB-04", "JSB-03", "CITY-02", "RURAL-02", "CITY-13", "JSB-01", "CITY-01", "RURAL-01"]


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    from analysis_lib.cli import main

    out = tmp_path_factory.mktemp("sample-batch")
    code = main(["batch", "--panel", str(SAMPLE_PANEL), "--institutions", *IDS, "--formats", "html", "--workers", "2", "--out", str(out),
                 "--run-id", "sample", "--quiet"])
    assert code == 0
    return out / "sample"


def test_the_batch_writes_its_index_and_portfolio_summary(sample_run):
    index = (sample_run / "index.html").read_text(encoding="utf-8")
    summary = (sample_run / "portfolio_summary.html").read_text(encoding="utf-8")
    assert all(i in index for i in IDS) and "<script>" in index
    assert "All 10 reports complete" in summary and "Start with a first wave of 2 institutions" in summary


def test_first_wave_of_the_sample(sample_run):
    portfolio = load_portfolio(sample_run)
    wave = first_wave(portfolio)
    # seven of the ten programmes pay back, every one with data that carry a decision; the two large state-owned banks hold
    # most of their priority (CNY 4.0bn and 3.2bn a year of risk-adjusted benefit against at most CNY 0.43bn for the others)
    assert sorted(wave.candidates.index) == sorted(["SOB-05", "SOB-06", "JSB-04", "JSB-03", "CITY-02", "RURAL-02", "CITY-13"])
    assert list(wave.wave.index) == ["SOB-06", "SOB-05"]
    assert wave.after_fix.empty
    assert wave.share_of_ready == pytest.approx(0.888, abs=0.01)
    summaries = {i: json.loads((sample_run / i / "summary.json").read_text()) for i in IDS}
    assert wave.wave.loc["SOB-06", "risk_adjusted_benefit"] == summaries["SOB-06"]["risk_adjusted_benefit"] == pytest.approx(4.04e9, rel=0.01)


def _filled_heights(pdf, folder) -> list[float]:
    """How far down each page its content reaches (0-1 of the area between
    the running header and footer), from the page rendered at low
    resolution."""
    import subprocess

    import matplotlib.image

    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(folder / "page")], check=True)
    heights = []
    for path in sorted(folder.glob("page-*.png")):
        image = matplotlib.image.imread(str(path))[..., :3].mean(axis=2)
        rows = image.shape[0]
        body = image[int(0.07 * rows):int(0.93 * rows)]
        inked = np.flatnonzero((body < 0.9).any(axis=1))
        heights.append((inked[-1] + 1) / len(body) if inked.size else 0.0)
    return heights


@pytest.mark.skipif(find_browser() is None or shutil.which("pdftoppm") is None, reason="needs a Chromium browser and pdftoppm")
@pytest.mark.parametrize("language", ["en", "zh"])
def test_portfolio_pdf_has_no_near_empty_page(sample_run, language, tmp_path):
    from pypdf import PdfReader

    files = render_portfolio(sample_run, language=language)
    pages = [page.extract_text() for page in PdfReader(str(files["pdf"])).pages]
    assert 7 <= len(pages) <= 10
    heights = _filled_heights(files["pdf"], tmp_path)
    # the cover and the closing appendix are short by design; every page between is at least half full
    assert min(heights[1:-1]) > 0.5 and heights[-1] > 0.3, heights
    first_wave_title = "首批2家机构" if language == "zh" else "The first wave: 2 institutions"
    assert any(first_wave_title.replace(" ", "") in re.sub(r"\s+", "", text) for text in pages)
