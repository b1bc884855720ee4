"""Panels over time: every period is kept, labels are normalised to one
canonical form per frequency, and a file mixing frequencies is refused with
the row, column and value."""

import pandas as pd
import pytest

from analysis_lib.errors import InputDataError
from analysis_lib.intake.panel import load_panel, validate_panel_file
from analysis_lib.intake.periods import PeriodError, parse_period, period_start_month

from conftest import SAMPLE_PANEL


@pytest.mark.parametrize("raw, expected", [
    ("2024", ("2024", "year")), (2024, ("2024", "year")), (2024.0, ("2024", "year")), ("2024年", ("2024", "year")),
    ("FY2024", ("2024", "year")), ("２０２４年度", ("2024", "year")),
    ("2024Q3", ("2024Q3", "quarter")), ("2024-Q3", ("2024Q3", "quarter")), ("Q3 2024", ("2024Q3", "quarter")),
    ("2024q3", ("2024Q3", "quarter")), ("2024年第3季度", ("2024Q3", "quarter")),
    ("2024-09", ("2024-09", "month")), ("2024/9", ("2024-09", "month")), ("2024年9月", ("2024-09", "month")),
])
def test_period_forms_are_normalised(raw, expected):
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["2024H1", "24", "2024-13", "Q5 2024", "next year", 2024.5])
def test_bad_periods_are_refused(raw):
    with pytest.raises(PeriodError):
        parse_period(raw)


def test_period_arithmetic_across_frequencies():
    assert period_start_month("2025") - period_start_month("2024Q4") == 3
    assert period_start_month("2024-10") == period_start_month("2024Q4")


def _write(tmp_path, periods):
    frame = pd.read_csv(SAMPLE_PANEL).head(2)
    rows = pd.concat([frame.assign(period=p) for p in periods], ignore_index=True)
    rows["institution_id"] = [f"{i}" for i in rows["institution_id"]]
    path = tmp_path / "multi.csv"
    rows.to_csv(path, index=False)
    return path


def test_every_period_is_kept_and_normalised(tmp_path):
    panel = load_panel(_write(tmp_path, ["2023年", "2024", "FY2025"]))
    assert panel.periods == ["2023", "2024", "2025"]
    assert len(panel.at("2024").data) == 2 and set(panel.at("2024").data["period"]) == {"2024"}
    assert set(panel.latest().data["period"]) == {"2025"}
    with pytest.raises(InputDataError, match="period '2026' is not in the panel; its periods are 2023, 2024, 2025"):
        panel.at("2026")


def test_a_normalised_duplicate_is_a_duplicate(tmp_path):
    report = validate_panel_file(_write(tmp_path, ["2024", "2024年"]))
    assert [p.code for p in report.errors] == ["duplicate_id", "duplicate_id"]


def test_mixed_frequencies_are_refused_with_row_column_and_value(tmp_path):
    report = validate_panel_file(_write(tmp_path, ["2024", "2024Q3"]))
    mixed = [p for p in report.errors if p.code == "mixed_frequency"]
    assert [(p.row, p.column, p.value) for p in mixed] == [(4, "period", "2024Q3"), (5, "period", "2024Q3")]
    assert "is a quarter but the file's periods are years (row 2: 2024)" in str(mixed[0])


def test_an_unreadable_period_names_the_cell(tmp_path):
    report = validate_panel_file(_write(tmp_path, ["2024", "last year"]))
    bad = [p for p in report.errors if p.code == "bad_period"]
    assert [(p.row, p.value) for p in bad] == [(4, "last year"), (5, "last year")]
    assert bad[0].expected == "a year (2024), a quarter (2024Q3) or a month (2024-09)"
