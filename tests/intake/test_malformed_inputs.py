"""The malformed-input corpus: each file yields the expected message and exit code."""

import csv
from pathlib import Path

import pytest

from analysis_lib.cli import main

CORPUS = Path(__file__).parents[1] / "data" / "malformed"
CASES = list(csv.DictReader((CORPUS / "cases.csv").open(encoding="utf-8")))


def test_corpus_is_large_and_complete():
    assert len(CASES) >= 20
    assert sum(c["exit_code"] == "1" for c in CASES) >= 15
    assert any(c["file"].endswith(".xlsx") for c in CASES)
    gbk = [c["file"] for c in CASES if c["file"].startswith("gbk_")]
    for name in gbk:
        raw = (CORPUS / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_validate_reports_precisely(case, capsys):
    code = main(["validate", str(CORPUS / case["file"])])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code == int(case["exit_code"]), output
    for expected in case["expect"].split(" && "):
        assert expected in output
    assert "Traceback" not in output
    if case["exit_code"] == "1":
        assert output.count(": error: ") >= 1
