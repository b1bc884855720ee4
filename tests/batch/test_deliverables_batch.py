"""Decks and data packs in a batch: per institution, in the manifest and the
index, a folder of commentary matched by institution id, and the run's
portfolio data pack."""

import json

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation

from analysis_lib.batch.portfolio_datapack import write_portfolio_datapack
from analysis_lib.batch.runner import read_manifest, run_batch

from conftest import SAMPLE_PANEL

IDS = ["CITY-02", "JSB-01"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    notes = tmp_path_factory.mktemp("commentary")
    (notes / "CITY-02.md").write_text("## gaps\nInterviews: no early-warning list reaches the relationship managers.\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    result = run_batch(SAMPLE_PANEL, institutions=IDS, formats=("pptx", "xlsx"), workers=2, timeout=300, out=out, run_id="deck",
                       params={"mc_draws": 1000, "commentary": str(notes)}, progress=False)
    return result, write_portfolio_datapack(result.run_dir)


def test_each_institution_gets_its_deck_and_data_pack_in_the_manifest(batch):
    result, _ = batch
    assert result.exit_code == 0
    manifest = read_manifest(result.run_dir)
    for institution in IDS:
        row = manifest[institution]
        assert (row["status"], row["pptx"], row["xlsx"], row["html"]) == ("ok", f"{institution}.pptx", f"{institution}.xlsx", "")
        assert (result.run_dir / institution / f"{institution}.pptx").is_file()
    index = (result.run_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="CITY-02/CITY-02.pptx">PPTX</a>' in index and 'href="JSB-01/JSB-01.xlsx">XLSX</a>' in index
    assert 'href="portfolio_datapack.xlsx"' in index


def test_commentary_is_matched_by_institution_id(batch):
    result, _ = batch
    parameters = {i: json.loads(r["parameters"]) for i, r in read_manifest(result.run_dir).items()}
    assert parameters["CITY-02"]["commentary"].endswith("CITY-02.md") and parameters["JSB-01"]["commentary"] == ""
    deck = Presentation(str(result.run_dir / "CITY-02" / "CITY-02.pptx"))
    texts = [s.text_frame.text for slide in deck.slides for s in slide.shapes if s.has_text_frame]
    assert any("no early-warning list reaches" in t for t in texts)


def test_the_portfolio_data_pack_holds_every_institutions_summary(batch):
    result, path = batch
    assert path == result.run_dir / "portfolio_datapack.xlsx"
    assert openpyxl.load_workbook(path).sheetnames == ["README", "Institutions", "Programmes"]
    institutions = pd.read_excel(path, sheet_name="Institutions").set_index("Institution")
    assert sorted(institutions.index) == sorted(IDS)
    for institution in IDS:
        summary = json.loads((result.run_dir / institution / "summary.json").read_text(encoding="utf-8"))
        if summary["sustain_lead"]:  # a leader without a programme (JSB-01): no NPV, as its report makes no investment case
            assert summary["npv"] is None and pd.isna(institutions.at[institution, "NPV (CNY)"])
        else:
            assert institutions.at[institution, "NPV (CNY)"] == pytest.approx(summary["npv"], rel=1e-12)
        assert institutions.at[institution, "Overall score (0-100)"] == pytest.approx(summary["score_overall"])
    programmes = pd.read_excel(path, sheet_name="Programmes")
    city = json.loads((result.run_dir / "CITY-02" / "summary.json").read_text(encoding="utf-8"))
    assert list(programmes.loc[programmes["Institution"] == "CITY-02", "Initiative"]) == city["programme_initiatives"]
    assert "JSB-01" not in set(programmes["Institution"])


def test_the_command_line_batch_writes_the_portfolio_data_pack(tmp_path, capsys):
    from analysis_lib.cli import main

    code = main(["batch", "--panel", str(SAMPLE_PANEL), "--institutions", "RURAL-02", "--formats", "xlsx", "--workers", "1",
                 "--out", str(tmp_path), "--run-id", "pack", "--no-summary", "--quiet", "-p", "mc_draws", "1000", "-p", "language", "zh"])
    assert code == 0
    run_dir = tmp_path / "pack"
    assert f"portfolio data pack: {run_dir / 'portfolio_datapack.xlsx'}" in capsys.readouterr().out
    assert read_manifest(run_dir)["RURAL-02"]["xlsx"] == "RURAL-02.xlsx"
    assert openpyxl.load_workbook(run_dir / "RURAL-02" / "RURAL-02.xlsx").sheetnames[:3] == ["说明", "同业定位", "维度得分"]
    assert main(["batch", "--panel", str(SAMPLE_PANEL), "--institutions", "RURAL-02", "--review", "--formats", "pptx",
                 "--out", str(tmp_path), "--quiet"]) == 2
    assert "html, pdf" in capsys.readouterr().err
