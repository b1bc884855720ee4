"""The column mapping of a client's customer extract, as data: which client
column is the id, the churn flag, tenure, dates, money or an explanatory
feature; its type, unit and value labels; the extract's currency and FX
rate, the tenure unit and the book type.

A mapping is a YAML file the consultant edits. :func:`propose_mapping`
writes a first draft from the headers (English and Chinese synonyms) and
the values (0/1, yes/no, 是/否, two text labels such as "Attrited
Customer" / "Existing Customer").

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"CLIENTNUM": [11, 12, 13], "Attrition_Flag": ["Attrited Customer", "Existing Customer", "Existing Customer"],
...                       "Months_on_book": [13, 40, 56]})
>>> m = propose_mapping(frame)
>>> m.column_for("id"), m.column_for("churned"), m.tenure_unit
('CLIENTNUM', 'Attrition_Flag', 'months')
>>> m.entry("Attrition_Flag").values
{'Attrited Customer': 1, 'Existing Customer': 0}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, UnreadableFileError

ROLES = {
    "id": "customer id (pseudonymised, never shown)",
    "churned": "churn flag (1 = left, 0 = stayed; value labels map text flags)",
    "tenure": "time as a customer (unit: tenure_unit)",
    "open_date": "date the relationship opened",
    "close_date": "date the relationship closed (churned customers)",
    "observation_date": "date of the snapshot, per row",
    "balance": "balance or assets under management (money)",
    "spend": "card spend / transaction amount over a year (money)",
    "revolving": "revolving (interest-bearing) card balance (money)",
    "products": "number of products held",
    "region": "region or branch",
    "segment": "client segment or tier",
    "feature": "any other explanatory column",
    "ignore": "not read (names, free text, contact details)",
}
"""Roles a client column can take."""
TYPES = ("id", "flag", "numeric", "money", "count", "category", "date")
"""``count``: a small whole number read as levels (e.g. products held)."""
REQUIRED_ROLES = ("id", "churned")
SINGLE_ROLES = ("id", "churned", "tenure", "open_date", "close_date", "observation_date", "balance", "spend", "revolving", "products",
                "region", "segment")
TENURE_UNITS = {"years": 1.0, "months": 12.0, "days": 365.25}
"""Tenure units a mapping may declare, with their number per year."""
MONTHS_THRESHOLD = 60
"""Without a declared unit, a longest tenure above this is read as months
(a bank's customers stay up to a lifetime in years, rarely under five years
in months); from :data:`YEARS_CERTAIN` up to it the unit is ambiguous."""
YEARS_CERTAIN = 15
PANEL_CURRENCY = "CNY"
"""The currency of the panel and of every report figure."""
BOOK_TYPES = ("deposits", "cards", "loans")
MONEY_UNITS = {"1": 1.0, "unit": 1.0, "yuan": 1.0, "元": 1.0, "thousand": 1e3, "k": 1e3, "千元": 1e3, "万": 1e4, "万元": 1e4,
               "million": 1e6, "m": 1e6, "百万": 1e6, "百万元": 1e6, "亿": 1e8, "亿元": 1e8}
"""Units a money column may be written in (``unit: 万元``): the amounts are
multiplied by the factor, then converted with the FX rate."""
ROLE_TYPES = {"id": ("id",), "churned": ("flag",), "tenure": ("numeric",), "open_date": ("date",), "close_date": ("date",),
              "observation_date": ("date",), "balance": ("money",), "spend": ("money",), "revolving": ("money",),
              "products": ("count", "numeric"), "region": ("category",), "segment": ("category",)}

_SYNONYMS = {
    "id": ("customerid", "clientnum", "clientid", "custid", "customerno", "customernumber", "客户编号", "客户号", "客户id", "客户代码",
           "客户编码", "id"),
    "ignore": ("surname", "name", "firstname", "lastname", "fullname", "rownumber", "row", "phone", "mobile", "email", "address",
               "姓名", "客户姓名", "客户名称", "电话", "手机号", "手机号码", "地址", "身份证号", "证件号码", "序号"),
    "churned": ("exited", "churn", "churned", "attritionflag", "attrition", "attrited", "left", "closed", "是否流失", "流失标志",
                "流失", "是否销户", "销户标志"),
    "tenure": ("tenure", "monthsonbook", "tenuremonths", "tenureyears", "客户年限", "开户年限", "在网月数", "账龄", "开户月数", "客龄"),
    "open_date": ("opendate", "accountopendate", "dateopened", "开户日期", "建立关系日期"),
    "close_date": ("closedate", "dateclosed", "销户日期", "流失日期"),
    "observation_date": ("observationdate", "snapshotdate", "asofdate", "数据日期", "统计日期", "观察日期"),
    "balance": ("balance", "deposits", "aum", "totalbalance", "存款余额", "日均余额", "余额", "金融资产", "aum余额"),
    "spend": ("totaltransamt", "spend", "annualspend", "transactionamount", "消费金额", "交易金额", "年消费额"),
    "revolving": ("totalrevolvingbal", "revolvingbalance", "revolvingbal", "循环余额", "分期余额"),
    "products": ("numofproducts", "products", "productsheld", "totalrelationshipcount", "持有产品数", "产品数", "持有产品数量"),
    "region": ("geography", "region", "branch", "country", "province", "地区", "所属分行", "分行", "区域", "省份"),
    "segment": ("segment", "tier", "customertier", "客户等级", "客户分层", "客户类型"),
}
_LABELS = {
    "age": ("Age", "年龄"), "customerage": ("Age", "年龄"), "gender": ("Gender", "性别"), "sex": ("Gender", "性别"),
    "creditscore": ("Credit score", "信用评分"), "estimatedsalary": ("Salary", "收入"), "salary": ("Salary", "收入"),
    "income": ("Income", "收入"), "isactivemember": ("Active member", "活跃客户"), "active": ("Active member", "活跃客户"),
    "hascrcard": ("Holds a credit card", "持有信用卡"), "numofproducts": ("Products held", "持有产品数"),
    "products": ("Products held", "持有产品数"), "balance": ("Balance", "账户余额"), "tenure": ("Tenure", "在网年限"),
    "geography": ("Region", "地区"), "region": ("Region", "地区"), "country": ("Country", "国家"),
    "segment": ("Segment", "客户分层"), "tier": ("Tier", "客户等级"),
    "totalrelationshipcount": ("Products held", "持有产品数"),
    "monthsinactive12mon": ("Months inactive (12 months)", "近12个月不活跃月数"),
    "contactscount12mon": ("Contacts (12 months)", "近12个月联系次数"), "creditlimit": ("Credit limit", "信用额度"),
    "totalrevolvingbal": ("Revolving balance", "循环余额"), "totaltransamt": ("Spend (12 months)", "近12个月交易金额"),
    "totaltransct": ("Transactions (12 months)", "近12个月交易笔数"),
    "totalctchngq4q1": ("Change in transactions, Q4 over Q1", "交易笔数变化（四季度比一季度）"),
    "totalamtchngq4q1": ("Change in spend, Q4 over Q1", "交易金额变化（四季度比一季度）"),
    "avgutilizationratio": ("Credit utilisation", "平均额度使用率"), "avgopentobuy": ("Open to buy", "可用额度"),
    "dependentcount": ("Dependants", "供养人数"), "educationlevel": ("Education", "教育程度"),
    "maritalstatus": ("Marital status", "婚姻状况"), "incomecategory": ("Income band", "收入区间"),
    "cardcategory": ("Card tier", "卡片等级"),
}
"""English and Chinese report labels of common headers (a mapping's ``label`` / ``label_zh`` override them)."""
_LEVELS_ZH = {"female": "女", "male": "男", "f": "女", "m": "男", "france": "法国", "germany": "德国", "spain": "西班牙",
              "china": "中国", "yes": "是", "no": "否", "unknown": "未知", "east china": "华东", "north china": "华北",
              "south china": "华南", "central china": "华中", "west china": "西部", "mass": "大众客户", "affluent": "富裕客户",
              "hnw": "高净值客户", "blue": "蓝卡", "silver": "银卡", "gold": "金卡", "platinum": "白金卡", "graduate": "本科",
              "high school": "高中", "uneducated": "未受教育", "college": "大专", "post-graduate": "研究生", "doctorate": "博士",
              "married": "已婚", "single": "未婚", "divorced": "离异", "less than $40k": "4万美元以下", "$40k - $60k": "4万–6万美元",
              "$60k - $80k": "6万–8万美元", "$80k - $120k": "8万–12万美元", "$120k +": "12万美元以上"}
"""Chinese names of common category levels, proposed as ``levels_zh``."""
_MONEY_WORDS = ("balance", "bal", "amt", "amount", "salary", "income", "limit", "spend", "aum", "asset", "deposit", "余额", "金额",
                "资产", "收入", "额度", "工资", "存款", "理财")
_YES = {"1", "1.0", "yes", "y", "true", "t", "是", "有", "已流失", "流失", "已销户", "销户"}
_NO = {"0", "0.0", "no", "n", "false", "f", "否", "无", "未流失", "正常", "在网"}
_LEAVER_WORDS = ("attrit", "churn", "closed", "left", "exit", "lost", "leaver", "流失", "销户", "离开")
_STAYER_WORDS = ("existing", "active", "retained", "stay", "current", "open", "正常", "在网", "存续", "未流失")


def _norm(header: object) -> str:
    return re.sub(r"[\s_\-./()（）]+", "", str(header)).lower()


@dataclass(frozen=True)
class ColumnMapping:
    """How one client column is read: its role, type, label, unit and value
    labels (text → number for flags, text → level for categories)."""

    column: str
    role: str
    type: str
    label: str = ""
    unit: str | None = None
    values: dict[Any, Any] | None = None
    label_zh: str = ""
    levels_zh: dict[str, str] | None = None

    @property
    def shown(self) -> str:
        """The label used in reports (the header when no label is given)."""
        return self.label or self.column

    @property
    def shown_zh(self) -> str:
        """The label used in Chinese reports (else the English one)."""
        return self.label_zh or self.shown


@dataclass(frozen=True)
class CustomerMapping:
    """The mapping of one extract layout (see the module docstring)."""

    columns: tuple[ColumnMapping, ...]
    currency: str = PANEL_CURRENCY
    fx_rate: float | None = None
    tenure_unit: str | None = None
    book_type: str = "deposits"
    observation_date: str | None = None
    source: str = "mapping"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def entry(self, column: str) -> ColumnMapping:
        """The entry of a client column."""
        for item in self.columns:
            if item.column == column:
                return item
        raise KeyError(column)

    def column_for(self, role: str) -> str | None:
        """The client column with a single role, or None."""
        found = [c.column for c in self.columns if c.role == role]
        return found[0] if found else None

    def used(self) -> list[ColumnMapping]:
        """Entries that are read (every role except ``ignore``)."""
        return [c for c in self.columns if c.role != "ignore"]

    def to_dict(self) -> dict[str, Any]:
        columns = {}
        for c in self.columns:
            item: dict[str, Any] = {"role": c.role, "type": c.type}
            if c.label:
                item["label"] = c.label
            if c.unit:
                item["unit"] = c.unit
            if c.label_zh:
                item["label_zh"] = c.label_zh
            if c.values:
                item["values"] = {_plain(k): _plain(v) for k, v in c.values.items()}
            if c.levels_zh:
                item["levels_zh"] = dict(c.levels_zh)
            columns[c.column] = item
        return {"currency": self.currency, "fx_rate": self.fx_rate, "tenure_unit": self.tenure_unit, "book_type": self.book_type,
                "observation_date": self.observation_date, "columns": columns}


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


HEADER = """\
# Customer extract mapping for crm-diag (edit, then: crm-diag customers validate EXTRACT --mapping THIS_FILE)
# roles: {roles}
# types: {types}; money columns are in `currency` (CNY, or another with `fx_rate`: CNY per unit; never mixed);
#   a money column written in 万元 or thousands takes `unit: 万元` / `unit: thousand`
# tenure_unit: years | months | days; book_type: deposits | cards | loans (chooses the margin model, data/customer_margins.csv)
# values: text label -> 1 (left) / 0 (stayed) for the churn flag and yes/no flags
"""


def write_mapping(mapping: CustomerMapping, path: str | Path) -> Path:
    """Write a mapping as YAML (with a commented header explaining the keys).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> m = CustomerMapping((ColumnMapping("id", "id", "id"), ColumnMapping("left", "churned", "flag")))
    >>> p = write_mapping(m, pathlib.Path(tempfile.mkdtemp()) / "m.yaml")
    >>> read_mapping(p).column_for("churned")
    'left'
    """
    import yaml

    path = Path(path)
    body = yaml.safe_dump(mapping.to_dict(), allow_unicode=True, sort_keys=False, default_flow_style=None, width=140)
    notes = "".join(f"# note: {n}\n" for n in mapping.notes)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(roles=", ".join(ROLES), types=", ".join(TYPES)) + notes + body, encoding="utf-8")
    return path


def read_mapping(path: str | Path) -> CustomerMapping:
    """Read a mapping file (YAML) and check its structure.

    Raises :class:`InputDataError` naming the file, the column entry and the
    key for every problem at once.
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise UnreadableFileError(f"{path}: mapping file not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f", line {where.line + 1}" if where is not None else ""
        raise UnreadableFileError(f"{path.name}{line}: not a readable YAML mapping ({type(exc).__name__})") from None
    mapping, problems = mapping_from_dict(raw, path.name)
    if problems:
        raise InputDataError(f"{path.name}: {len(problems)} problem(s) in the mapping:\n" + "\n".join(problems))
    return mapping


def mapping_from_dict(raw: Any, source: str = "mapping") -> tuple[CustomerMapping, list[str]]:
    """Build a mapping from its dictionary form; returns it with the list of
    problems found (each naming the file, column entry and key)."""
    problems: list[str] = []
    if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
        return CustomerMapping((), source=source), [f"{source}: expected a 'columns:' section (client column -> role, type)"]
    columns = []
    for column, spec in raw["columns"].items():
        where = f"{source}, column {str(column)!r}"
        if isinstance(spec, str):
            spec = {"role": spec}
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected role and type, got {spec!r}")
            continue
        role = str(spec.get("role", "feature"))
        if role not in ROLES:
            problems.append(f"{where}: unknown role {role!r}; expected one of {', '.join(ROLES)}")
            continue
        kind = str(spec.get("type") or ROLE_TYPES.get(role, ("numeric",))[0])
        if role == "ignore":
            kind = spec.get("type") or "category"
        if kind not in TYPES:
            problems.append(f"{where}: unknown type {kind!r}; expected one of {', '.join(TYPES)}")
            continue
        if role in ROLE_TYPES and kind not in ROLE_TYPES[role]:
            problems.append(f"{where}: role {role!r} needs type {' or '.join(ROLE_TYPES[role])}, not {kind!r}")
        unit = spec.get("unit")
        if kind == "money" and unit is not None and str(unit).lower() not in MONEY_UNITS:
            problems.append(f"{where}: money unit {unit!r} is not one of {', '.join(MONEY_UNITS)}")
        values = spec.get("values")
        if values is not None and not isinstance(values, dict):
            problems.append(f"{where}: 'values' must map each label to a value, got {values!r}")
            values = None
        if role == "churned" and values:
            odd = {k: v for k, v in values.items() if v not in (0, 1)}
            if odd:
                problems.append(f"{where}: churn flag labels must map to 1 (left) or 0 (stayed); got {odd}")
        levels_zh = spec.get("levels_zh")
        if levels_zh is not None and not isinstance(levels_zh, dict):
            problems.append(f"{where}: 'levels_zh' must map each level to its Chinese name, got {levels_zh!r}")
            levels_zh = None
        columns.append(ColumnMapping(str(column), role, kind, str(spec.get("label") or ""), spec.get("unit"), values or None,
                                     str(spec.get("label_zh") or ""), {str(k): str(v) for k, v in levels_zh.items()} if levels_zh else None))
    for role in SINGLE_ROLES:
        holders = [c.column for c in columns if c.role == role]
        if len(holders) > 1:
            problems.append(f"{source}: role {role!r} is given to {len(holders)} columns ({', '.join(holders)}); it takes one")
    for role in REQUIRED_ROLES:
        if not any(c.role == role for c in columns):
            problems.append(f"{source}: no column has the required role {role!r}")
    unit = raw.get("tenure_unit")
    if unit is not None and unit not in TENURE_UNITS:
        problems.append(f"{source}: tenure_unit {unit!r} is not one of {', '.join(TENURE_UNITS)}")
    book = raw.get("book_type") or "deposits"
    if book not in BOOK_TYPES:
        problems.append(f"{source}: book_type {book!r} is not one of {', '.join(BOOK_TYPES)}")
    currency = str(raw.get("currency") or PANEL_CURRENCY).strip().upper()
    fx = raw.get("fx_rate")
    if fx is not None and (not isinstance(fx, (int, float)) or isinstance(fx, bool) or not np.isfinite(fx) or fx <= 0):
        problems.append(f"{source}: fx_rate {fx!r} must be a positive number (CNY per unit of the extract's currency)")
        fx = None
    elif currency != PANEL_CURRENCY and fx is None:
        problems.append(f"{source}: amounts are in {currency} but the panel is in {PANEL_CURRENCY}; give fx_rate (CNY per {currency}) "
                        "or convert the extract: currencies are never mixed")
    elif currency == PANEL_CURRENCY and fx is not None and fx != 1:
        problems.append(f"{source}: fx_rate {fx!r} is given for amounts already in {PANEL_CURRENCY}; set currency or remove fx_rate")
    observed = raw.get("observation_date")
    if observed is not None and pd.isna(pd.to_datetime(str(observed), errors="coerce")):
        problems.append(f"{source}: observation_date {observed!r} is not a date (expected YYYY-MM-DD)")
    mapping = CustomerMapping(tuple(columns), currency, None if fx is None or currency == PANEL_CURRENCY else float(fx), unit, str(book),
                              None if observed is None else str(observed), source)
    return mapping, problems


def _role_from_header(header: object) -> str | None:
    key = _norm(header)
    for role, words in _SYNONYMS.items():
        if key in words:
            return role
    for role, words in _SYNONYMS.items():
        if any(len(w) >= 4 and w in key for w in words):
            return role
    return None


def _flag_values(values: pd.Series) -> dict[Any, int] | None:
    """Value labels of a churn flag (label → 1 left / 0 stayed), or None
    when the column has no recognisable two-valued coding."""
    levels = list(pd.unique(values.dropna()))
    if not 1 <= len(levels) <= 2:
        return None
    texts = {level: str(level).strip().lower() for level in levels}
    if all(t in _YES | _NO for t in texts.values()):
        return {level: int(texts[level] in _YES) for level in levels}
    if len(levels) == 2:
        leaver = [lv for lv in levels if any(w in texts[lv] for w in _LEAVER_WORDS)]
        stayer = [lv for lv in levels if any(w in texts[lv] for w in _STAYER_WORDS)]
        if len(leaver) == 1 and leaver[0] not in stayer:
            return {lv: int(lv == leaver[0]) for lv in levels}
        if len(stayer) == 1:
            return {lv: int(lv != stayer[0]) for lv in levels}
    return None


def _guess_type(header: object, values: pd.Series) -> tuple[str, str, dict | None]:
    """(role, type, value labels) of a column nobody named by synonym."""
    present = values.dropna()
    numeric = pd.to_numeric(present, errors="coerce")
    if len(present) and numeric.notna().mean() > 0.98:
        levels = numeric.dropna().unique()
        if set(levels) <= {0, 1}:
            return "feature", "flag", None
        key = _norm(header)
        if any(w in key for w in _MONEY_WORDS):
            return "feature", "money", None
        if len(levels) <= 5 and np.all(np.mod(levels, 1) == 0):
            return "feature", "count", None
        return "feature", "numeric", None
    flags = _flag_values(present)
    if flags is not None and len(flags) == 2 and all(str(k).strip().lower() in _YES | _NO for k in flags):
        return "feature", "flag", flags
    if len(present) and pd.to_datetime(present.astype(str).head(200), errors="coerce", format="mixed").notna().mean() > 0.9 \
            and numeric.notna().mean() < 0.5:
        return "ignore", "date", None
    unique_share = present.nunique() / max(len(present), 1)
    if present.nunique() > 50 and unique_share > 0.2:
        return "ignore", "category", None
    return "feature", "category", None


def propose_mapping(frame: pd.DataFrame, source: str = "extract") -> CustomerMapping:
    """Propose a mapping from an extract's headers and values.

    Headers are matched against English and Chinese synonyms of each role;
    the churn flag's value labels are read from its values (0/1, yes/no,
    是/否, or two text labels one of which names leaving); columns nobody
    named get a type from their values (flags, money by header words, small
    counts, categories; free text and near-unique text are ignored).
    The tenure unit comes from the header (month/月, year/年) or from the
    values (see :func:`detect_tenure_unit`).

    Examples
    --------
    >>> frame = pd.DataFrame({"客户编号": [1, 2], "是否流失": ["是", "否"], "客户姓名": ["甲", "乙"]})
    >>> [(c.column, c.role) for c in propose_mapping(frame).columns]
    [('客户编号', 'id'), ('是否流失', 'churned'), ('客户姓名', 'ignore')]
    """
    entries: list[ColumnMapping] = []
    notes: list[str] = []
    taken: set[str] = set()
    tenure_unit = None
    for header in frame.columns:
        values = frame[header]
        role = _role_from_header(header)
        if role in SINGLE_ROLES and role in taken:
            role = None
        if role == "churned":
            flags = _flag_values(values)
            if flags is None:
                notes.append(f"column {str(header)!r}: could not tell which value means 'left'; add values: {{label: 1, label: 0}}")
            entries.append(ColumnMapping(str(header), "churned", "flag", values=None if flags is None or
                                         all(str(k) in ("0", "1") and int(k) == v for k, v in flags.items()) else flags))
        elif role in ("id", "ignore"):
            entries.append(ColumnMapping(str(header), role, "id" if role == "id" else "category"))
        elif role in ("open_date", "close_date", "observation_date"):
            entries.append(ColumnMapping(str(header), role, "date"))
        elif role == "tenure":
            tenure_unit, why = detect_tenure_unit(pd.to_numeric(values, errors="coerce"), header)
            if why:
                notes.append(why)
            entries.append(ColumnMapping(str(header), "tenure", "numeric", unit=tenure_unit))
        elif role in ("balance", "spend", "revolving"):
            entries.append(ColumnMapping(str(header), role, "money"))
        elif role == "products":
            levels = pd.to_numeric(values, errors="coerce").nunique()
            entries.append(ColumnMapping(str(header), "products", "count" if levels <= 8 else "numeric"))
        elif role in ("region", "segment"):
            entries.append(ColumnMapping(str(header), role, "category"))
        else:
            role, kind, labels = _guess_type(header, values)
            entries.append(ColumnMapping(str(header), role, kind, values=labels))
        if role in SINGLE_ROLES:
            taken.add(role)
    entries = [_with_labels(e, frame[e.column]) for e in entries]
    for role in REQUIRED_ROLES:
        if role not in taken:
            notes.append(f"no column was recognised as the {role!r}; set role: {role} on the right column")
    book = "cards" if "spend" in taken or "revolving" in taken else "deposits"
    return CustomerMapping(tuple(entries), tenure_unit=tenure_unit, book_type=book, source=source, notes=tuple(notes))


def _with_labels(entry: ColumnMapping, values: pd.Series) -> ColumnMapping:
    """Report labels of a recognised header and Chinese names of its levels."""
    if entry.role in ("id", "churned", "ignore"):
        return entry
    label, label_zh = ("Tenure", "在网年限") if entry.role == "tenure" else _LABELS.get(_norm(entry.column), ("", ""))
    levels_zh = None
    if entry.type == "category":
        levels = [str(v) for v in pd.unique(values.dropna())][:50]
        found = {lv: _LEVELS_ZH[lv.strip().lower()] for lv in levels if lv.strip().lower() in _LEVELS_ZH}
        levels_zh = found or None
    return replace(entry, label=label, label_zh=label_zh, levels_zh=levels_zh)


def detect_tenure_unit(values: pd.Series, header: object = "") -> tuple[str, str]:
    """The unit of a tenure column: from its header (month/月, year/年,
    day/天) or, failing that, from its values. Returns ``(unit, warning)``;
    the warning is empty when the unit is clear.

    Values up to :data:`YEARS_CERTAIN` read as years; above
    :data:`MONTHS_THRESHOLD` as months (above 600 as days); in between the
    unit is ambiguous: read as years, with a warning to declare it.

    Examples
    --------
    >>> detect_tenure_unit(pd.Series([0, 3, 10]))
    ('years', '')
    >>> detect_tenure_unit(pd.Series([13, 36, 56]), "Months_on_book")
    ('months', '')
    >>> detect_tenure_unit(pd.Series([2, 20, 30]))[0]
    'years'
    >>> detect_tenure_unit(pd.Series([3, 18, 72, 120]))[0]
    'months'
    """
    key = _norm(header)
    if "month" in key or "月" in key:
        return "months", ""
    if "day" in key or "天" in key or "日" in key:
        return "days", ""
    if "year" in key or "年" in key:
        return "years", ""
    top = float(np.nanmax(values.to_numpy(float))) if values.notna().any() else 0.0
    if top <= YEARS_CERTAIN:
        return "years", ""
    if top > MONTHS_THRESHOLD:
        return ("months" if top <= 600 else "days"), ""
    return "years", (f"tenure column {str(header)!r}: values up to {top:g} could be months or years; read as years "
                     "(declare tenure_unit in the mapping)")


def legacy_mapping(roles: dict[str, str]) -> CustomerMapping:
    """A mapping from the older ``role -> column`` dictionary (roles
    ``customer_id, churned, tenure, balance, products, region, segment`` and
    any other name as a numeric or category feature)."""
    rename = {"customer_id": "id"}
    kinds = {"gender": "category", "active": "flag", "has_card": "flag", "salary": "money"}
    columns = []
    for role, column in roles.items():
        role = rename.get(role, role)
        if role in ROLE_TYPES:
            kind = "count" if role == "products" else ROLE_TYPES[role][0]
            columns.append(ColumnMapping(str(column), role, kind))
        else:
            columns.append(ColumnMapping(str(column), "feature", kinds.get(role, "numeric"), label=role.replace("_", " ")))
    return CustomerMapping(tuple(columns), source="mapping")
