"""Batch runs: fault isolation (bad data, timeout, killed kernel), resume,
safe folders, Dask."""

import csv
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from analysis_lib.batch.runner import plan_folders, read_manifest, run_batch
from analysis_lib.errors import InputDataError, ParameterError
from analysis_lib.report.export import NOTEBOOK

from conftest import SAMPLE_PANEL

IDS = ["CITY-01", "CITY-02", "CITY-03", "CITY-04", "CITY-05", "JSB-01", "RURAL-01", "RURAL-02"]
SLEEPER, KILLED, BAD = "CITY-04", "CITY-05", "CITY-03"
FAST = {"mc_draws": 1000}


@pytest.fixture(scope="module")
def bad_panel(tmp_path_factory):
    frame = pd.read_csv(SAMPLE_PANEL, dtype=str, keep_default_na=False)
    frame.loc[frame["institution_id"] == BAD, "revenue"] = "lots"
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def fault_notebook(tmp_path_factory):
    """The real diagnostic notebook with one cell added after the parameters:
    one institution sleeps past the timeout, another kills its own kernel."""
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    fault = nbformat.v4.new_code_cell(
        "import os, time\n"
        f"if institution_id == {SLEEPER!r}:\n    time.sleep(300)\n"
        f"if institution_id == {KILLED!r}:\n    os.kill(os.getpid(), 9)")
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(index + 1, fault)
    path = tmp_path_factory.mktemp("nb") / "fault_injection.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, bad_panel, fault_notebook):
    out = tmp_path_factory.mktemp("batch")
    result = run_batch(bad_panel, institutions=IDS, formats=("html", "pdf"), workers=2, timeout=25, out=out, run_id="r1",
                       params=FAST, notebook=str(fault_notebook), progress=False)
    return result, out


def test_failures_are_isolated_and_recorded_precisely(first_run):
    result, out = first_run
    status = {o.institution_id: o for o in result.outcomes}
    assert status[BAD].status == "failed" and "revenue" in status[BAD].error and "lots" in status[BAD].error
    assert status[SLEEPER].status == "timeout"
    assert status[KILLED].status == "kernel_died"
    others = [i for i in IDS if i not in (BAD, SLEEPER, KILLED)]
    assert all(status[i].status == "ok" for i in others)
    assert result.exit_code == 1
    manifest = read_manifest(out / "r1")
    assert set(manifest) == set(IDS)
    for institution_id in others:
        row = manifest[institution_id]
        folder = out / "r1" / row["folder"]
        assert (folder / row["html"]).is_file() and (folder / row["pdf"]).is_file()
        summary = json.loads((folder / "summary.json").read_text())
        assert summary["institution_id"] == institution_id and row["input_sha256"] == summary["input_sha256"]
        assert json.loads(row["parameters"])["mc_draws"] == 1000
    # the failed executed notebook is kept for diagnosis; no partial files remain
    for kept in (BAD, SLEEPER, KILLED):  # also on timeout and kernel death
        assert nbformat.read(str(out / "r1" / kept / "internal" / f"{kept}.ipynb"), as_version=4).cells
    assert not list((out / "r1").rglob(".*partial*"))
    index = (out / "r1" / "index.html").read_text()
    assert all(i in index for i in IDS) and "timeout" in index and "kernel_died" in index


def test_resume_runs_only_the_failed_ones(first_run, bad_panel):
    _, out = first_run
    before = read_manifest(out / "r1")
    result = run_batch(bad_panel, institutions=IDS, formats=("html",), workers=2, timeout=120, out=out, run_id="r1", resume=True,
                       params=FAST, progress=False)
    rerun = {o.institution_id for o in result.outcomes if o.started and o.started != before[o.institution_id]["started"]}
    assert rerun == {BAD, SLEEPER, KILLED}
    after = read_manifest(out / "r1")
    assert after[SLEEPER]["status"] == "ok" and after[KILLED]["status"] == "ok"
    assert after[BAD]["status"] == "failed"  # bad data stays bad
    assert after["CITY-01"]["started"] == before["CITY-01"]["started"]


def test_hostile_ids_are_refused_before_anything_is_written(tmp_path):
    frame = pd.read_csv(SAMPLE_PANEL, dtype=str, keep_default_na=False).head(12)
    frame.loc[0, "institution_id"] = "../../escape"
    frame.loc[1, "institution_id"] = '<script>alert("x")</script>'
    panel = tmp_path / "hostile.csv"
    frame.to_csv(panel, index=False)
    with pytest.raises(InputDataError, match=r"2 institution id problem\(s\).*row 2: institution id contains \"/\".*row 3: institution id "
                                             r"contains \"<\""):
        run_batch(panel, institutions=["SOB-03"], formats=("html",), workers=1, out=tmp_path / "out", run_id="h", progress=False)
    assert not (tmp_path / "out").exists()


def test_the_index_escapes_what_it_shows(tmp_path):
    from analysis_lib.batch.runner import write_index

    rows = {"X": {"institution_id": "X", "folder": "X", "status": "failed", "error": '<script>alert("x")</script>'}}
    index = write_index(tmp_path, rows).read_text()
    assert "<script>alert" not in index and "&lt;script&gt;alert" in index  # the page's own sorting script aside


def test_folder_collisions_are_refused():
    with pytest.raises(InputDataError, match="same folder"):
        plan_folders(["Bank-A", "bank-a"])


def test_bad_usage_is_refused_before_any_kernel(tmp_path):
    with pytest.raises(ParameterError, match="institutions not in"):
        run_batch(SAMPLE_PANEL, institutions=["NOPE"], out=tmp_path, progress=False)
    with pytest.raises(ParameterError, match="unknown parameter"):
        run_batch(SAMPLE_PANEL, institutions=["CITY-01"], out=tmp_path, params={"langauge": "zh"}, progress=False)
    with pytest.raises(ParameterError, match="--resume needs the run id"):
        run_batch(SAMPLE_PANEL, institutions=["CITY-01"], out=tmp_path, resume=True, progress=False)
    with pytest.raises(ParameterError, match="nothing to resume: no run folder .*typo"):
        run_batch(SAMPLE_PANEL, institutions=["CITY-01"], out=tmp_path, run_id="typo", resume=True, progress=False)


def test_cli_exit_codes(tmp_path, capsys):
    from analysis_lib.cli import main

    assert main(["batch", "--panel", str(tmp_path / "missing.csv"), "--out", str(tmp_path)]) == 2
    assert main(["batch", "--panel", str(SAMPLE_PANEL), "--institutions", "NOPE", "--out", str(tmp_path)]) == 2
    assert main(["batch", "--panel", str(SAMPLE_PANEL), "--formats", "docx", "--out", str(tmp_path)]) == 2
    code = main(["batch", "--panel", str(SAMPLE_PANEL), "--institutions", "CITY-01", "--formats", "html", "--out", str(tmp_path),
                 "--run-id", "c", "-p", "mc_draws", "1000", "--quiet"])
    assert code == 0
    assert (tmp_path / "c" / "portfolio_summary.html").is_file() and (tmp_path / "c" / "index.html").is_file()


def test_dask_local_cluster_gives_the_same_summaries(tmp_path):
    ids = ["CITY-02", "JSB-01"]
    local = run_batch(SAMPLE_PANEL, institutions=ids, formats=("html",), workers=2, out=tmp_path, run_id="local", params=FAST,
                      progress=False)
    dask = run_batch(SAMPLE_PANEL, institutions=ids, formats=("html",), workers=2, out=tmp_path, run_id="dask", params=FAST,
                     scheduler="local", progress=False)
    assert local.exit_code == dask.exit_code == 0
    for institution_id in ids:
        a = json.loads((tmp_path / "local" / institution_id / "summary.json").read_text())
        b = json.loads((tmp_path / "dask" / institution_id / "summary.json").read_text())
        assert a == b
    with open(tmp_path / "dask" / "manifest.csv", encoding="utf-8") as f:
        assert {r["status"] for r in csv.DictReader(f)} == {"ok"}


def test_portfolio_summary(first_run):
    from analysis_lib.batch.portfolio import load_portfolio, section

    _, out = first_run
    portfolio = load_portfolio(out / "r1")
    league = portfolio.league_table()
    assert league["score_overall"].is_monotonic_decreasing
    assert portfolio.totals()["institutions"] == len(IDS)
    # bad data always fails; the timeout and the killed kernel succeed once the resume test has rerun them
    failed = {i for i, row in read_manifest(out / "r1").items() if row["status"] != "ok"}
    assert BAD in failed and BAD in section(portfolio, "unknowns") and portfolio.totals()["failed"] == len(failed)
    assert Path(out / "r1").is_dir()


def test_a_long_batch_does_not_stall_when_workers_have_run_many_tasks(tmp_path):
    """More tasks per worker than any recycling limit: every task completes
    (a light notebook with the real parameters keeps this quick)."""
    from analysis_lib.report.parameters import parameters_cell_source

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(parameters_cell_source())
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print(institution_id)")]
    light = tmp_path / "light.ipynb"
    nbformat.write(nb, str(light))
    ids = list(pd.read_csv(SAMPLE_PANEL)["institution_id"][:28])
    import threading

    results = []
    runner = threading.Thread(target=lambda: results.append(run_batch(
        SAMPLE_PANEL, institutions=ids, formats=("html",), workers=1, timeout=60, out=tmp_path, run_id="long", notebook=str(light),
        progress=False)), daemon=True)
    runner.start()
    runner.join(timeout=240)
    assert results, "the batch stalled"
    assert len(results[0].outcomes) == 28 and results[0].exit_code == 0


def _live_members(group: int) -> list[int]:
    """Processes of a process group that are still running (not zombies)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(stat.parent.name))
    return members


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_ctrl_c_stops_the_batch_at_once_leaving_a_run_that_resumes(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    ids = ["CITY-01", "CITY-02", "JSB-01", "RURAL-01"]
    command = [sys.executable, "-m", "analysis_lib.cli", "batch", "--panel", str(SAMPLE_PANEL), "--institutions", *ids, "--workers", "1",
               "--formats", "html", "--out", str(tmp_path), "--run-id", "r", "--quiet", "--no-summary", "-p", "mc_draws", "1000"]
    batch = subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not any(r["status"] == "ok" for r in read_manifest(tmp_path / "r").values()):
        time.sleep(0.2)
    os.killpg(batch.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = batch.communicate(timeout=60)
    assert batch.returncode == 130, err
    assert "--run-id r --resume" in err
    before = read_manifest(tmp_path / "r")
    statuses = {i: r["status"] for i, r in before.items()}
    assert set(statuses) == set(ids) and set(statuses.values()) == {"ok", "pending"}
    time.sleep(1)
    assert _live_members(batch.pid) == []  # workers and the warm kernel server are gone
    for path in (tmp_path / "r").rglob("*"):
        assert not path.is_file() or path.name.startswith(".") or path.stat().st_size > 0
    resumed = run_batch(SAMPLE_PANEL, institutions=ids, formats=("html",), workers=1, out=tmp_path, run_id="r", resume=True, params=FAST,
                        progress=False)
    assert resumed.exit_code == 0
    after = read_manifest(tmp_path / "r")
    assert all(r["status"] == "ok" for r in after.values())
    for institution_id, status in statuses.items():  # the finished ones were not run again
        assert (after[institution_id]["started"] == before[institution_id]["started"]) == (status == "ok")
