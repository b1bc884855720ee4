"""Period labels of a panel over time: years (``2024``), quarters
(``2024Q3``) and months (``2024-09``), read from the ways spreadsheets and
Chinese reports write them, and compared across frequencies.

Canonical labels of one frequency sort in time order as text, so a panel's
periods need no other type.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

PERIOD_FORMS = (
    ("year", re.compile(r"^(?:FY)?(\d{4})(?:年度?|A)?$")),
    ("quarter", re.compile(r"^(\d{4})(?:年)?[-\s]?(?:Q|第)([1-4])(?:季度?)?$")),
    ("quarter", re.compile(r"^Q([1-4])[-\s]?(\d{4})$")),
    ("month", re.compile(r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:月)?$")),
)
PERIOD_MONTHS = {"year": 12, "quarter": 3, "month": 1}
"""Length of one period of each frequency, in months."""
EXPECTED = "a year (2024), a quarter (2024Q3) or a month (2024-09)"


class PeriodError(ValueError):
    """A cell that is not a period; ``message``, ``expected`` and ``code``
    feed the intake's problem list."""

    def __init__(self, message: str, expected: str = EXPECTED, code: str = "bad_period") -> None:
        super().__init__(message)
        self.message, self.expected, self.code = message, expected, code


def parse_period(raw: object) -> tuple[str, str]:
    """A period label in its canonical form, with its frequency.

    Years ``2024``, ``2024年``, ``2024年度``, ``FY2024``, ``2024A``, ``2024.0`` → ``2024``; quarters
    ``2024Q3``, ``2024-Q3``, ``Q3 2024``, ``2024年第3季度`` → ``2024Q3``;
    months ``2024-09``, ``2024/9``, ``2024年9月`` → ``2024-09``.

    Raises
    ------
    PeriodError
        When the value is none of these forms (a decimal number such as
        2024.1 too: a spreadsheet number cannot say whether it is January
        or October).

    Examples
    --------
    >>> parse_period("2024年"), parse_period("Q3 2024"), parse_period("2024年9月")
    (('2024', 'year'), ('2024Q3', 'quarter'), ('2024-09', 'month'))
    """
    if isinstance(raw, (int, float, np.integer, np.floating)) and not isinstance(raw, bool):
        if not float(raw).is_integer():
            raise PeriodError("is a decimal number, not a period", "a period written as text: 2024, 2024Q3 or 2024-09")
        raw = str(int(raw))
    text = unicodedata.normalize("NFKC", str(raw)).strip().upper().replace(" ", "")
    for frequency, pattern in PERIOD_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        parts = match.groups()
        if frequency == "year":
            return parts[0], frequency
        if frequency == "quarter":
            year, quarter = (parts[1], parts[0]) if text.startswith("Q") else parts
            return f"{year}Q{quarter}", frequency
        if 1 <= int(parts[1]) <= 12:
            return f"{parts[0]}-{int(parts[1]):02d}", frequency
    raise PeriodError("is not a period")


def period_start_month(period: str) -> int:
    """Months from year 0 to the first month of a period (to compare
    periods of different frequencies).

    Examples
    --------
    >>> period_start_month("2024Q3") - period_start_month("2024")
    6
    """
    label, frequency = parse_period(period)
    year = int(label[:4])
    if frequency == "quarter":
        return 12 * year + 3 * (int(label[5]) - 1)
    if frequency == "month":
        return 12 * year + int(label[5:]) - 1
    return 12 * year


def period_end_month(period: str) -> int:
    """The month after a period's last month (its start plus its length).

    Examples
    --------
    >>> period_end_month("2024") == period_start_month("2025Q1")
    True
    """
    return period_start_month(period) + PERIOD_MONTHS[parse_period(period)[1]]
