"""The Excel intake template a consultant sends to a client: one sheet to fill
in (``institutions``), and reference sheets with the catalog's labels, units
and valid ranges. Excel data validation rejects out-of-range numbers and
unknown peer groups as they are typed."""

from __future__ import annotations

from pathlib import Path

from analysis_lib.reference.catalog import load_catalog, load_peer_groups, load_size_fields

TEMPLATE_ROWS = 1000
INSTRUCTIONS = (
    ("How to fill in this workbook", "填写说明"),
    ("One row per institution in the sheet 'institutions' (add a 'period' column for several years).",
     "在“institutions”工作表中每家机构填写一行（如含多个年度，请增加“period”列）。"),
    ("Ratios are fractions or percentages: 0.087 or 8.7%. Money in CNY.", "比率填写小数或百分比：0.087 或 8.7%。金额单位为人民币元。"),
    ("Leave a cell empty when the figure is not available; do not write 0.", "数据缺失时请留空，不要填0。"),
    ("Units, valid ranges and definitions are in the sheets 'metrics' and 'size_fields'.",
     "单位、取值范围及定义见“metrics”与“size_fields”工作表。"),
    ("Check the file with: crm-diag validate <file>.xlsx", "校验命令：crm-diag validate <文件>.xlsx"),
)


def _reference_sheet(workbook, title: str, frame) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(title)
    table = frame.reset_index()
    sheet.append([str(c) for c in table.columns])
    for row in table.itertuples(index=False):
        sheet.append([v.item() if hasattr(v, "item") else "; ".join(v) if isinstance(v, tuple) else v for v in row])  # aliases: a;b
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def write_intake_template(path: str | Path) -> Path:
    """Write the Excel intake template to ``path`` and return it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = write_intake_template(pathlib.Path(tempfile.mkdtemp()) / "intake.xlsx")
    >>> from openpyxl import load_workbook
    >>> load_workbook(out).sheetnames[:2]
    ['institutions', 'metrics']
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    catalog = load_catalog().table
    sizes = load_size_fields()
    groups = load_peer_groups()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "institutions"
    columns: list[tuple[str, str, str, float | None, float | None]] = [
        ("institution_id", "Institution id / 机构代码", "text", None, None),
        ("name", "Institution name / 机构名称", "text", None, None),
        ("peer_group", "Peer group / 同业组: " + ", ".join(groups.index), "text", None, None),
    ]
    columns += [(f, f"{r['label_en']} / {r['label_zh']}", r["unit"], r["min"], r["max"]) for f, r in sizes.iterrows()]
    columns += [(m, f"{r['label_en']} / {r['label_zh']}", r["unit"], r["min"], r["max"]) for m, r in catalog.iterrows()]
    header_fill = PatternFill("solid", fgColor="1F3A5F")
    last = TEMPLATE_ROWS + 1
    for index, (field, label, unit, low, high) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=field)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        note = label if low is None else f"{label}\nUnit: {unit}; valid range {low:g} to {high:g}"
        cell.comment = Comment(note, "CRM Diagnostic Workbook", width=320, height=90)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, min(28, len(field) + 4))
        if low is not None:
            rule = DataValidation(type="decimal", operator="between", formula1=f"{low:g}", formula2=f"{high:g}", allow_blank=True,
                                  showErrorMessage=True, errorTitle="Out of range", error=f"{field}: expected {low:g} to {high:g} ({unit})")
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{last}")
            if unit == "ratio":
                for row in range(2, last + 1):
                    sheet.cell(row=row, column=index).number_format = "0.00%"
    _reference_sheet(workbook, "metrics", catalog)
    _reference_sheet(workbook, "size_fields", sizes)
    _reference_sheet(workbook, "peer_groups", groups)
    group_rule = DataValidation(type="list", formula1=f"=peer_groups!$A$2:$A${len(groups) + 1}", allow_blank=False,
                                showErrorMessage=True, errorTitle="Unknown peer group", error="Pick a peer group from the list")
    sheet.add_data_validation(group_rule)
    group_rule.add(f"C2:C{last}")
    sheet.freeze_panes = "B2"
    readme = workbook.create_sheet("read_me")
    for english, chinese in INSTRUCTIONS:
        readme.append([english, chinese])
    readme["A1"].font = readme["B1"].font = Font(bold=True)
    readme.column_dimensions["A"].width = readme.column_dimensions["B"].width = 80
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
