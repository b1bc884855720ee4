import json

import pandas as pd
from openpyxl import load_workbook

from analysis_lib.cli import main

from conftest import SAMPLE_PANEL


def test_template_has_validation_and_round_trips(tmp_path, capsys):
    out = tmp_path / "intake.xlsx"
    assert main(["template", str(out)]) == 0
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["institutions", "metrics", "size_fields", "peer_groups", "read_me"]
    sheet = workbook["institutions"]
    header = [c.value for c in sheet[1]]
    rules = sheet.data_validations.dataValidation
    assert any(r.type == "list" and "peer_groups" in r.formula1 for r in rules)
    ratio_rule = next(r for r in rules if "N2" in str(r.sqref) or r.type == "decimal")
    assert ratio_rule.type == "decimal"
    # a consultant fills in three institutions: the file validates clean
    sample = pd.read_csv(SAMPLE_PANEL, keep_default_na=False).head(3)
    for i, row in enumerate(sample.itertuples(index=False), start=2):
        for j, column in enumerate(header, start=1):
            value = getattr(row, column, None)
            sheet.cell(row=i, column=j, value=value.item() if hasattr(value, "item") else value)
    workbook.save(out)
    capsys.readouterr()
    assert main(["validate", str(out)]) == 0
    assert "0 error(s)" in capsys.readouterr().out


def test_validate_json_output(capsys):
    assert main(["validate", str(SAMPLE_PANEL), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_demo_writes_tables(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--no-reports"]) == 0
    text = capsys.readouterr().out
    assert "62 institutions" in text and "Peer positioning" in text
    summary = pd.read_csv(tmp_path / "positioning_summary.csv")
    assert len(summary) == 62 and summary["overall"].between(0, 100).all()
    assert (tmp_path / "data_quality.csv").is_file()


def test_sample_data_command_is_reproducible(tmp_path):
    out = tmp_path / "s.csv"
    assert main(["sample-data", "--out", str(out)]) == 0
    assert out.read_bytes() == SAMPLE_PANEL.read_bytes()
