"""Build the malformed-input corpus from the first rows of the sample panel.

Run from the repository root: ``python tests/data/malformed/build_corpus.py``.
Each file carries one kind of mistake; ``cases.csv`` beside it says what the
validator must answer (exit code and text that must appear in its output).
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
SAMPLE = HERE.parents[2] / "data" / "sample" / "institutions.csv"


def base() -> tuple[list[str], list[list[str]]]:
    with SAMPLE.open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], [r for r in rows[1:4]]


def write_csv(name: str, header: list[str], rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> None:
    with (HERE / name).open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(name: str, header: list[str], rows: list[list[object]]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "institutions"
    ws.append(header)
    for row in rows:
        ws.append([_number(v) for v in row])
    wb.save(HERE / name)


def _number(v: object) -> object:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return v


def edited(header: list[str], rows: list[list[str]], column: str, row: int, value: str) -> list[list[str]]:
    out = [list(r) for r in rows]
    out[row][header.index(column)] = value
    return out


def main() -> None:
    h, r = base()
    write_csv("unknown_column.csv", [c if c != "cost_to_income" else "cost_to_incme" for c in h], r)
    drop = h.index("peer_group")
    write_csv("missing_required_column.csv", h[:drop] + h[drop + 1:], [x[:drop] + x[drop + 1:] for x in r])
    write_csv("non_numeric.csv", h, edited(h, r, "cost_to_income", 1, "about thirty"))
    write_csv("percent_string_ok.csv", h, edited(h, r, "cost_to_income", 0, "28.7%"))
    write_csv("decimal_comma.csv", h, edited(h, r, "cost_to_income", 2, "28,7%"))
    write_csv("percent_on_count.csv", h, edited(h, r, "customers_per_rm", 0, "50%"))
    write_csv("thousands_separators_ok.csv", h, edited(h, r, "employees", 1, "412,345"))
    write_csv("out_of_range.csv", h, edited(h, r, "retention_hnw", 0, "1.2"))
    write_csv("percent_without_sign.csv", h, edited(h, r, "cost_to_income", 1, "28.7"))
    dup = [list(x) for x in r]
    dup[2][0] = dup[0][0]
    write_csv("duplicate_id.csv", h, dup)
    write_csv("unknown_peer_group.csv", h, edited(h, r, "peer_group", 1, "state_bank"))
    write_csv("empty_row_ok.csv", h, [r[0], [""] * len(h), r[1]])
    write_csv("unsafe_id.csv", h, edited(h, r, "institution_id", 0, "../evil"))
    write_csv("missing_required_value.csv", h, edited(h, r, "revenue", 2, ""))
    write_csv("inconsistent_ok.csv", h, edited(h, r, "acq_cost_hnw", 0, "3000"))
    ragged = [list(x) for x in r]
    ragged[1] = ragged[1] + ["extra"]
    write_csv("ragged_row.csv", h, ragged)
    write_csv("header_only.csv", h, [])
    (HERE / "empty_file.csv").write_bytes(b"")
    (HERE / "unsupported_type.json").write_text('{"institution_id": "X"}\n', encoding="utf-8")
    (HERE / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    write_csv("semicolon_ok.csv", h, r, delimiter=";")
    write_csv("fullwidth_ok.csv", h, edited(h, r, "cost_to_income", 0, "２８．７％"))
    periods = ["period"] + h
    write_csv("duplicate_period.csv", periods, [["2024"] + r[0], ["2025"] + r[0], ["2025"] + r[0]])
    # Chinese headers (the catalog's Chinese labels), GBK encoded
    from analysis_lib.reference.catalog import load_catalog, load_size_fields

    catalog, sizes = load_catalog(), load_size_fields()
    zh = {"institution_id": "机构代码", "name": "机构名称", "peer_group": "同业组", "is_synthetic": "合成数据", "note": "备注"}
    zh.update({m: catalog.label(m, "zh") for m in catalog.ids})
    zh.update({f: sizes.at[f, "label_zh"] for f in sizes.index})
    zh_header = [zh[c] for c in h]
    zh_rows = edited(h, r, "peer_group", 0, "城市商业银行")
    write_csv("gbk_chinese_headers_ok.csv", zh_header, zh_rows, encoding="gbk")
    write_csv("gbk_bad_value.csv", zh_header, edited(h, zh_rows, "retention_mass", 1, "约八成"), encoding="gbk")
    write_xlsx("xlsx_text_in_number.xlsx", h, edited(h, r, "nps", 0, "n/a?"))
    write_xlsx("xlsx_out_of_range.xlsx", h, edited(h, r, "data_error_rate", 1, "1.5"))
    write_xlsx("xlsx_missing_id.xlsx", h, edited(h, r, "institution_id", 2, ""))
    write_xlsx("xlsx_ok.xlsx", h, r)
    # what real files throw at intake
    (HERE / "bom_gbk_ok.csv").write_bytes(b"\xef\xbb\xbf" + (HERE / "gbk_chinese_headers_ok.csv").read_bytes())
    write_xlsx("xlsx_uncalculated_formula.xlsx", h, edited(h, r, "revenue", 1, "=B3*2"))  # openpyxl saves no result for it
    formula_column = [list(x) for x in r]
    for number, row in enumerate(formula_column, start=2):
        row[h.index("nps")] = f"=10+{number}"
    write_xlsx("xlsx_formula_column.xlsx", h, formula_column)
    blank = [""] * len(h)
    write_csv("title_row_ok.csv", ["CRM benchmarking panel 2024"] + [""] * (len(h) - 1), [blank, h, *r])
    write_merged_heading_xlsx("xlsx_group_heading_ok.xlsx", h, r)
    totals = [list(x) for x in r] + [["合计", "", ""] + [""] * (len(h) - 3)]
    totals[-1][h.index("revenue")] = "9.9e12"
    write_csv("totals_row_zh_ok.csv", h, totals)
    write_csv("totals_row_en_ok.csv", h, [*r, ["", "Total", ""] + ["1"] * (len(h) - 3)])
    write_csv("unicode_minus_ok.csv", h, edited(h, r, "nps", 1, "\u221212"))
    write_csv("period_year_suffix.csv", periods, [["2024"] + r[0], ["2024年"] + r[0], ["2023年"] + r[1]])
    write_empty_first_sheet_xlsx("xlsx_empty_first_sheet.xlsx", h, r)
    write_csv("out_of_range_large.csv", h, edited(h, r, "employees", 0, "20000000"))
    write_csv("utf8_stray_byte.csv", h, edited(h, r, "name", 1, "城商行 STRAY"))
    stray = HERE / "utf8_stray_byte.csv"
    stray.write_bytes(stray.read_bytes().replace(b"STRAY", b"\xff"))


def write_merged_heading_xlsx(name: str, header: list[str], rows: list[list[str]]) -> None:
    """Group headings merged across their columns in row 1, the header in row 2."""
    wb = Workbook()
    ws = wb.active
    ws.title = "institutions"
    ws.append(["Identity", None, None, None, None, "Size"] + [None] * (len(header) - 6))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=5)
    ws.merge_cells(start_row=1, start_column=6, end_row=1, end_column=12)
    ws.append(header)
    for row in rows:
        ws.append([_number(v) for v in row])
    wb.save(HERE / name)


def write_empty_first_sheet_xlsx(name: str, header: list[str], rows: list[list[str]]) -> None:
    wb = Workbook()
    wb.active.title = "Sheet1"
    data = wb.create_sheet("Data")
    data.append(header)
    for row in rows:
        data.append([_number(v) for v in row])
    wb.save(HERE / name)


if __name__ == "__main__":
    main()
