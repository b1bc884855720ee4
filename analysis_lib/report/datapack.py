"""The Excel data pack: every table behind the report as a named sheet, so a
consultant rebuilds a chart in the firm's template without retyping.

The tables are built from the same :class:`~analysis_lib.report.diagnostic.Diagnostic`
the report renders (one programme, one set of numbers): positioning,
dimension scores, frontier, gaps, value chain, initiatives, cost lines,
cash flows, business case, scenarios, tornado, Monte Carlo percentiles,
roadmap, risks, KPI scorecard, data quality and sources. Cells hold the
unrounded numbers (money in CNY, rates as fractions shown as percentages);
each header names its unit; a README sheet says what each sheet holds and
where it comes from.

Building the tables (:func:`datapack_tables`, inside the report's kernel)
and writing the workbook (:func:`write_datapack`, needing only openpyxl) are
separate, so that a batch worker writes the file from the executed notebook
without loading the analysis stack.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

UNIT_LABELS = {
    "CNY": {"en": "CNY", "zh": "元"}, "ratio": {"en": "%", "zh": "%"}, "years": {"en": "years", "zh": "年"},
    "weeks": {"en": "weeks", "zh": "周"}, "score": {"en": "0-100", "zh": "0—100分"}, "multiple": {"en": "×", "zh": "倍"},
    "count": {"en": "count", "zh": "个"}, "hours": {"en": "hours", "zh": "小时"}, "minutes": {"en": "minutes", "zh": "分钟"},
    "days": {"en": "days", "zh": "天"}, "theta": {"en": "0-1", "zh": "0—1"}, "months": {"en": "months", "zh": "月"},
    "level": {"en": "1-5", "zh": "1—5级"}, "fte": {"en": "FTE", "zh": "人"},
}
"""Units of data-pack columns (besides text), as shown in a header."""
NUMBER_FORMATS = {
    "CNY": "#,##0", "ratio": "0.0%", "years": "0.00", "weeks": "0.0", "score": "0.0", "multiple": "0.00", "count": "#,##0",
    "hours": "#,##0.0", "minutes": "#,##0.0", "days": "#,##0.0", "theta": "0.000", "months": "0", "level": "0", "fte": "0.0",
    "integer": "0",
}
METRIC_UNIT = "metric"
"""A column whose unit is each row's metric unit (the table's ``Unit`` column)."""


@dataclass(frozen=True)
class DataTable:
    """One sheet of the data pack: a frame of plain values, the unit of each
    column (``"text"``, a key of :data:`UNIT_LABELS`, or :data:`METRIC_UNIT`),
    and where it comes from."""

    key: str
    sheet: str
    title: str
    frame: pd.DataFrame
    units: tuple[str, ...]
    source: str
    row_units: tuple[str, ...] | None = None
    """Per row, the catalog unit of the metric (for :data:`METRIC_UNIT` columns)."""
    row_decimals: tuple[int, ...] | None = None

    def header(self, language: str) -> list[str]:
        """Column headers with their units: ``NPV (CNY)``, ``净现值（元）``."""
        return [_with_unit(c, u, language) for c, u in zip(self.frame.columns, self.units)]

    def to_payload(self) -> dict[str, Any]:
        """Plain JSON values (NaN as null)."""
        return {"key": self.key, "sheet": self.sheet, "title": self.title, "source": self.source, "units": list(self.units),
                "columns": [str(c) for c in self.frame.columns], "rows": [[_plain(v) for v in row] for row in self.frame.itertuples(index=False)],
                "row_units": list(self.row_units) if self.row_units else None,
                "row_decimals": list(self.row_decimals) if self.row_decimals else None}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> DataTable:
        frame = pd.DataFrame(data["rows"], columns=data["columns"])
        return cls(data["key"], data["sheet"], data["title"], frame, tuple(data["units"]), data["source"],
                   tuple(data["row_units"]) if data.get("row_units") else None,
                   tuple(data["row_decimals"]) if data.get("row_decimals") else None)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (bool,)):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple, set)):
        return ", ".join(map(str, value))
    return value


def _with_unit(label: str, unit: str, language: str) -> str:
    if unit in ("text", METRIC_UNIT) or unit not in UNIT_LABELS:
        return str(label)
    shown = UNIT_LABELS[unit][language]
    return f"{label}（{shown}）" if language == "zh" else f"{label} ({shown})"


def _l(en: str, zh: str, language: str) -> str:
    return zh if language == "zh" else en


# ------------------------------------------------------------------ the tables


def _table(key: str, sheet: tuple[str, str], title: tuple[str, str], columns: list[tuple[str, str, str, Any]], language: str,
           source: tuple[str, str], **extra: Any) -> DataTable:
    """A table from ``(en, zh, unit, values)`` columns."""
    frame = pd.DataFrame({_l(en, zh, language): list(values) for en, zh, _, values in columns})
    return DataTable(key, _l(*sheet, language), _l(*title, language), frame, tuple(u for _, _, u, _ in columns), _l(*source, language),
                     **extra)


def _positioning(diag, language: str) -> DataTable:
    from analysis_lib.reference.catalog import load_catalog
    from analysis_lib.report.text import dimension_label, word

    rows = diag.scorecard()
    catalog = load_catalog().table
    return _table("positioning", ("Positioning", "同业定位"), ("Peer positioning of every KPI", "各指标同业对标定位"), [
        ("Metric id", "指标代码", "text", rows["metric_id"]),
        (word("dimension", "en"), word("dimension", "zh"), "text", [dimension_label(d, language) for d in rows["dimension"]]),
        (word("metric", "en"), word("metric", "zh"), "text", rows[f"label_{language}"]),
        (word("unit", "en"), word("unit", "zh"), "text", [load_catalog().unit_label(m, language) for m in rows["metric_id"]]),
        (word("value", "en"), word("value", "zh"), METRIC_UNIT, rows["value"]),
        (word("peer_median", "en"), word("peer_median", "zh"), METRIC_UNIT, rows["peer_median"]),
        ("Performance percentile (100 = best)", "同业百分位（100为最优）", "score", rows["percentile"]),
        (word("quartile", "en"), word("quartile", "zh"), "level", rows["quartile"]),
        (word("status", "en"), word("status", "zh"), "text", [word(r, language) for r in rows["rag"]]),
        ("Peers reporting", "报送同业数", "count", rows["n_peers"]),
        ("Reference", "比较口径", "text", rows["reference"]),
    ], language, ("Client panel; peer percentiles by the workbook (direction from data/metrics.csv)",
                  "客户面板数据；同业百分位由本工具测算（指标方向取自指标目录）"),
        row_units=tuple(rows["unit"]), row_decimals=tuple(int(catalog.at[m, "decimals"]) for m in rows["metric_id"]))


def _scores(diag, language: str) -> DataTable:
    from analysis_lib.reference.catalog import DIMENSIONS
    from analysis_lib.report.text import dimension_label, word

    scores = diag.scores()
    keys = [*DIMENSIONS, "overall"]
    return _table("scores", ("Scores", "维度得分"), ("Six-dimension scores", "六维综合得分"), [
        ("Dimension id", "维度代码", "text", keys),
        (word("dimension", "en"), word("dimension", "zh"), "text", [dimension_label(d, language) if d != "overall" else word("overall", language)
                                                                   for d in keys]),
        (word("score", "en"), word("score", "zh"), "score", [scores[k] for k in keys]),
    ], language, ("Equal-weighted mean of the dimension's peer percentiles", "各维度指标同业百分位的等权平均"))


def _frontier(diag, language: str) -> DataTable:
    frame = diag.frontier.reset_index()
    return _table("frontier", ("Frontier", "前沿效率"), ("Frontier efficiency of every institution of the panel", "样本内各机构的前沿效率"), [
        ("Institution", "机构", "text", frame["institution_id"]),
        ("DEA θ (CRS)", "DEA效率值θ（规模报酬不变）", "theta", frame["dea_crs"]),
        ("DEA θ (VRS)", "DEA效率值θ（规模报酬可变）", "theta", frame["dea_vrs"]),
        ("Scale efficiency", "规模效率", "theta", frame["scale_efficiency"]),
        ("Super-efficiency", "超效率", "theta", frame["super_efficiency"]),
        ("SFA cost efficiency", "SFA成本效率", "theta", frame["sfa_cost_efficiency"]),
        ("Frontier peers", "前沿参照机构", "text", frame["peers"]),
        ("CRM cost", "CRM成本", "CNY", frame["crm_cost"]),
        ("Frontier target CRM cost", "前沿目标CRM成本", "CNY", frame["target_crm_cost"]),
    ], language, ("DEA (CCR/BCC, HiGHS) and SFA (Cobb–Douglas, ML) over the whole panel",
                  "对全部样本机构进行数据包络分析（CCR/BCC）与随机前沿分析（柯布—道格拉斯，极大似然）"))


def _gaps(diag, language: str) -> DataTable:
    from analysis_lib.reference.catalog import load_catalog
    from analysis_lib.report.text import unit_label, word

    rows = diag.gaps.gaps
    metrics = load_catalog()
    catalog = metrics.table
    return _table("gaps", ("Gaps", "差距"), ("Gap to target and value at stake per KPI", "各指标与目标的差距及价值空间"), [
        ("Metric id", "指标代码", "text", rows["metric_id"]),
        (word("metric", "en"), word("metric", "zh"), "text", rows[f"label_{language}"]),
        (word("unit", "en"), word("unit", "zh"), "text", [metrics.unit_label(m, language) if m in metrics else unit_label(u, language)
                                                          for m, u in zip(rows["metric_id"], rows["unit"])]),
        (word("current", "en"), word("current", "zh"), METRIC_UNIT, rows["current"]),
        (word("target", "en"), word("target", "zh"), METRIC_UNIT, rows["target"]),
        ("Target basis", "目标依据", "text", rows["basis"]),
        ("Improvement needed", "需改善幅度", METRIC_UNIT, rows["improvement"]),
        ("Percentile now", "当前同业百分位", "score", rows["percentile_now"]),
        ("Percentile at target", "目标同业百分位", "score", rows["percentile_target"]),
        ("Value at stake (a year)", "价值空间（每年）", "CNY", rows["value_at_stake"]),
        ("Counted in the total", "计入合计", "text", [bool(c) for c in rows["counted"]]),
    ], language, (f"Targets: {diag.params['target_set']}; value at stake from data/value_drivers.csv",
                  f"目标设定：{diag.params['target_set']}；价值空间按价值驱动因素表（data/value_drivers.csv）测算"),
        row_units=tuple(rows["unit"]), row_decimals=tuple(int(catalog.at[m, "decimals"]) if m in catalog.index else 2 for m in rows["metric_id"]))


def _value_chain(diag, language: str) -> DataTable:
    levers = diag.value_chain.levers
    return _table("value_chain", ("Value chain", "价值链"), ("From value at stake to risk-adjusted benefit, per lever",
                                                            "按价值杠杆：从价值空间到风险调整后收益"), [
        ("Metric id", "指标代码", "text", levers.index),
        ("Benefit type", "收益类型", "text", levers["benefit_type"]),
        ("Value at stake (a year)", "价值空间（每年）", "CNY", levers["value_at_stake"]),
        ("Addressable share", "可影响比例", "ratio", levers["addressable_share"]),
        ("Addressable (a year)", "可影响价值（每年）", "CNY", levers["addressable"]),
        ("Initiative benefit (a year)", "举措收益（每年）", "CNY", levers["captured"]),
        ("Risk haircut", "风险折减", "ratio", levers["haircut"]),
        ("Risk-adjusted benefit (a year)", "风险调整后收益（每年）", "CNY", levers["risk_adjusted"]),
    ], language, ("data/addressable.csv, data/benefit_risk.csv (TEI risk adjustment); full run-rate",
                  "可影响比例表与收益风险折减表（TEI风险调整）；全面达产口径"))


def _initiatives(diag, language: str) -> DataTable:
    table = diag.initiatives
    selected = set() if diag.sustains_lead else set(diag.programme)
    reasons = {**diag.value_chain.selection["reason"].astype(str).to_dict(), **diag.value_chain.dropped["reason"].astype(str).to_dict()}
    by_initiative = diag.value_chain.by_initiative()["risk_adjusted"]
    return _table("initiatives", ("Initiatives", "举措"), ("Initiatives in priority order, with the programme's selection",
                                                          "按优先级排列的举措及项目入选情况"), [
        ("Rank", "排序", "integer", table["rank"]),
        ("Initiative id", "举措代码", "text", table.index),
        ("Initiative", "举措", "text", table[f"name_{language}"]),
        ("Category", "类别", "text", table["category"]),
        ("In the programme", "纳入项目", "text", [i in selected for i in table.index]),
        ("Gross value captured (a year)", "可实现毛价值（每年）", "CNY", table["sequenced_value"]),
        ("Risk-adjusted benefit (a year)", "风险调整后收益（每年）", "CNY", [by_initiative.get(i, 0.0) for i in table.index]),
        ("One-off cost", "一次性投入", "CNY", table["one_off_cost"]),
        ("Effort", "实施难度", "level", table["effort"]),
        ("Months to value", "见效时间", "months", table["time_to_value_months"]),
        ("Why not selected", "未入选原因", "text", [_reason(reasons[i], language) if i not in selected and reasons.get(i) else ""
                                                   for i in table.index]),
    ], language, ("data/initiatives.csv; selection rule: PV of benefit at least 1.5× own cost",
                  "举措表；入选规则：收益现值不低于自身成本现值的1.5倍"))


def _reason(reason: str, language: str) -> str:
    from analysis_lib.report.economics import _reason as worded

    return worded(reason, language)


def _cost_lines(diag, language: str) -> DataTable:
    costs = diag.programme_costs
    return _table("cost_lines", ("Cost lines", "成本项"), ("Programme cost lines (TEI)", "项目成本构成（TEI口径）"), [
        ("Line", "成本项代码", "text", costs["line"]), ("Cost line", "成本项", "text", costs[f"label_{language}"]),
        ("Phase", "阶段", "text", costs["phase"]), ("Amount over the horizon", "测算期内金额", "CNY", costs["amount"]),
    ], language, ("data/cost_structure.csv and the resource plan", "成本结构表与资源计划"))


def _cash_flows(diag, language: str) -> DataTable:
    wide = diag.cash_flows.pivot_table(index="year", columns="item", values="amount", aggfunc="sum").fillna(0.0)
    wide["net"] = wide.sum(axis=1)
    wide["cumulative"] = wide["net"].cumsum()
    names = {"benefit": ("Benefit", "收益"), "build": ("Build cost", "建设投入"), "run": ("Running cost", "运营成本"),
             "contingency": ("Contingency", "应急预算"), "net": ("Net cash flow", "净现金流"), "cumulative": ("Cumulative", "累计现金流")}
    columns = [("Year from kick-off", "自项目启动起年数", "years", wide.index)]
    columns += [(*names.get(c, (c, c)), "CNY", wide[c]) for c in wide.columns]
    return _table("cash_flows", ("Cash flows", "现金流"), ("Yearly cash flows of the business case (year 1 is the first twelve months "
                                                         "from kick-off; each year's flows are discounted from its end)",
                                                         "商业论证的逐年现金流（第1年为项目启动后的首12个月；各年现金流按年末时点折现）"), columns, language,
                  (f"Business case model, scenario {diag.params['scenario']}", f"商业论证模型，情景：{diag.params['scenario']}"))


def business_case_rows(diag) -> list[tuple[str, str, str, str, float]]:
    """The business case's key figures ``(key, en, zh, unit, value)``: the
    same numbers as the report's table and ``summary.json``."""
    case = diag.case
    return [
        ("npv", "NPV, base case", "净现值（基准情景）", "CNY", case.npv),
        *((f"npv_p{q}", f"NPV, simulated P{q}", f"净现值模拟P{q}", "CNY", float(np.percentile(diag.simulation.npv, q))) for q in (10, 50, 90)),
        ("irr", "IRR", "内部收益率", "ratio", case.irr),
        ("mirr", "MIRR", "修正内部收益率", "ratio", case.mirr),
        ("payback_years", "Payback from kick-off", "投资回收期（自项目启动起）", "years", case.payback_years),
        ("discounted_payback_years", "Discounted payback from kick-off", "折现投资回收期（自项目启动起）", "years", case.discounted_payback_years),
        ("roi_multiple", "ROI multiple", "投资回报倍数", "multiple", case.roi_multiple),
        ("benefit_cost_ratio", "Benefit/cost ratio", "效益成本比", "multiple", case.benefit_cost_ratio),
        ("programme_cost", "TCO over the horizon", "期内总拥有成本", "CNY", case.tco),
        ("programme_benefit", "Risk-adjusted benefit a year (full run-rate)", "风险调整后年收益（全面达产）", "CNY", diag.case_inputs.annual_benefit),
        ("contingency", "Contingency carried", "应急预算", "CNY", diag.contingency["carried"]),
        ("value_at_stake", "Value at stake a year", "年度价值空间", "CNY", diag.gaps.total_value()),
        ("prob_npv_positive", "Probability of a positive NPV", "净现值为正的概率", "ratio", diag.simulation.prob_npv_positive),
        ("discount_rate", "Discount rate", "折现率", "ratio", diag.case_inputs.discount_rate),
    ]


def _business_case(diag, language: str) -> DataTable:
    rows = business_case_rows(diag)
    return _table("business_case", ("Business case", "商业论证"), ("Key figures of the business case", "商业论证关键指标"), [
        ("Key", "代码", "text", [r[0] for r in rows]), ("Figure", "指标", "text", [_l(r[1], r[2], language) for r in rows]),
        ("Unit", "单位", "text", [UNIT_LABELS[r[3]][language] for r in rows]), ("Value", "数值", METRIC_UNIT, [r[4] for r in rows]),
    ], language, ("Business case model (analysis_lib.roi)", "商业论证模型"), row_units=tuple(r[3] for r in rows),
        row_decimals=tuple(0 if r[3] == "CNY" else 2 for r in rows))


def _scenarios(diag, language: str) -> DataTable:
    from analysis_lib.report.text import word

    s = diag.scenarios
    return _table("scenarios", ("Scenarios", "情景"), ("Business case by scenario", "各情景下的商业论证"), [
        ("Scenario", "情景", "text", [word(i, language) for i in s.index]), ("NPV", "净现值", "CNY", s["npv"]),
        ("IRR", "内部收益率", "ratio", s["irr"]), ("MIRR", "修正内部收益率", "ratio", s["mirr"]),
        ("Payback from kick-off", "投资回收期（自项目启动起）", "years", s["payback_years"]),
        ("Discounted payback from kick-off", "折现投资回收期（自项目启动起）", "years", s["discounted_payback_years"]),
        ("ROI multiple", "投资回报倍数", "multiple", s["roi_multiple"]), ("TCO", "总拥有成本", "CNY", s["tco"]),
        ("PV of costs", "成本现值", "CNY", s["pv_costs"]), ("PV of benefits", "收益现值", "CNY", s["pv_benefits"]),
    ], language, ("data/scenarios.csv applied to the base case", "情景表应用于基准情景"))


def _tornado(diag, language: str) -> DataTable:
    from analysis_lib.report.economics import driver_label

    t = diag.tornado
    return _table("tornado", ("Tornado", "敏感性"), ("NPV sensitivity to each driver (P10 and P90 of the driver)",
                                                   "净现值对各驱动因素的敏感性（驱动因素取P10与P90）"), [
        ("Driver id", "驱动因素代码", "text", t["driver"]), ("Driver", "驱动因素", "text", [driver_label(d, language) for d in t["driver"]]),
        ("Low value", "低值", "text", t["low_value"]), ("High value", "高值", "text", t["high_value"]),
        ("NPV at low", "低值下净现值", "CNY", t["npv_low"]), ("NPV at high", "高值下净现值", "CNY", t["npv_high"]),
        ("Swing", "波动幅度", "CNY", t["swing"]),
    ], language, ("Programme tornado over the drivers of the Monte Carlo", "基于蒙特卡洛驱动因素的龙卷风分析"))


def _monte_carlo(diag, language: str) -> DataTable:
    summary = diag.simulation.summary()
    names = {"npv": ("NPV", "净现值", "CNY"), "irr": ("IRR", "内部收益率", "ratio"),
             "payback_years": ("Payback from kick-off", "投资回收期（自项目启动起）", "years")}
    keys = [k for k in summary.index if k in names]
    rows = [(k, *names[k], *(summary.at[k, c] for c in ("p10", "p50", "p90", "mean", "share_defined"))) for k in keys]
    rows.append(("prob_npv_positive", "Probability of a positive NPV", "净现值为正的概率", "ratio",
                 diag.simulation.prob_npv_positive, None, None, None, 1.0))
    return _table("monte_carlo", ("Monte Carlo", "蒙特卡洛"), ("Monte Carlo percentiles", "蒙特卡洛模拟分位数"), [
        ("Key", "代码", "text", [r[0] for r in rows]), ("Figure", "指标", "text", [_l(r[1], r[2], language) for r in rows]),
        ("Unit", "单位", "text", [UNIT_LABELS[r[3]][language] for r in rows]),
        ("P10", "P10", METRIC_UNIT, [r[4] for r in rows]), ("P50", "P50", METRIC_UNIT, [r[5] for r in rows]),
        ("P90", "P90", METRIC_UNIT, [r[6] for r in rows]), ("Mean", "均值", METRIC_UNIT, [r[7] for r in rows]),
        ("Share of draws defined", "有定义的抽样占比", "ratio", [r[8] for r in rows]),
    ], language, (f"{len(diag.simulation.npv):,} draws, seed {diag.simulation.seed}",
                  f"模拟{len(diag.simulation.npv):,}次，随机种子{diag.simulation.seed}"),
        row_units=tuple(r[3] for r in rows), row_decimals=tuple(0 if r[3] == "CNY" else 2 for r in rows))


def _roadmap(diag, language: str) -> DataTable:
    t = diag.schedule.tasks
    return _table("roadmap", ("Roadmap", "路线图"), ("Tasks, milestones and critical path", "任务、里程碑与关键路径"), [
        ("Task", "任务代码", "text", t.index), ("Phase", "阶段", "text", t["phase"]), ("Name", "名称", "text", t[f"name_{language}"]),
        ("Milestone", "里程碑", "text", [bool(m) for m in t["milestone"]]), ("Predecessors", "紧前任务", "text", t["predecessors"]),
        ("Duration", "工期", "weeks", t["duration"]), ("Earliest start", "最早开始", "weeks", t["es"]), ("Earliest finish", "最早完成", "weeks", t["ef"]),
        ("Total float", "总时差", "weeks", t["total_float"]), ("Critical", "关键路径", "text", [bool(c) for c in t["critical"]]),
    ], language, ("data/roadmap.csv; critical path method", "路线图表；关键路径法"))


def _risks(diag, language: str) -> DataTable:
    from analysis_lib.report.text import response_label

    r = diag.risks
    owner = "owner_zh" if language == "zh" and "owner_zh" in r else "owner"
    return _table("risks", ("Risks", "风险"), ("Risk register with expected exposure", "风险登记册及预期损失"), [
        ("Risk", "风险代码", "text", r.index), ("Title", "风险", "text", r[f"title_{language}"]), ("Category", "类别", "text", r["category"]),
        ("Probability", "可能性", "level", r["probability"]), ("Impact", "影响", "level", r["impact"]),
        ("Score (probability × impact)", "风险值（可能性×影响）", "integer", r["score"]),
        ("Expected exposure", "预期损失", "CNY", r["expected_exposure"]),
        ("Response", "应对策略", "text", [response_label(x, language) for x in r["response"]]),
        ("Owner", "负责人", "text", r[owner]),
    ], language, ("data/risks.csv scored against the programme budget", "风险表，按项目预算测算"))


def _kpi_scorecard(diag, language: str) -> DataTable:
    from analysis_lib.plan.scorecard import PROGRAMME_YEARS
    from analysis_lib.reference.catalog import load_catalog

    card = diag.kpi_card()
    catalog = load_catalog().table
    columns = [("Metric id", "指标代码", "text", card["metric_id"]),
               ("KPI", "指标", "text", [catalog.at[m, f"label_{language}"] for m in card["metric_id"]]),
               ("Unit", "单位", "text", [load_catalog().unit_label(m, language) for m in card["metric_id"]]),
               ("Baseline", "基线值", METRIC_UNIT, card["baseline"])]
    columns += [(f"Year {y} target", f"第{y}年目标", METRIC_UNIT, card[f"target_year_{y}"]) for y in range(1, PROGRAMME_YEARS + 1)]
    columns += [(f"Red if worse than (year {y})", f"红灯阈值（第{y}年）", METRIC_UNIT, card[f"red_below_year_{y}"])
                for y in range(1, PROGRAMME_YEARS + 1)]
    columns += [("Owner", "责任部门", "text", card[f"owner_{language}"]), ("Data source", "数据来源", "text", card[f"data_source_{language}"])]
    return _table("kpi_scorecard", ("KPI scorecard", "KPI跟踪"), ("KPI tracking scorecard with yearly targets", "KPI跟踪评分卡及逐年目标"),
                  columns, language, ("data/kpi_tracking.csv and the gap analysis's targets", "KPI跟踪表与差距分析目标"),
                  row_units=tuple(card["unit"]), row_decimals=tuple(int(catalog.at[m, "decimals"]) for m in card["metric_id"]))


def _watchlist(diag, language: str) -> DataTable:
    from analysis_lib.reference.catalog import load_catalog
    from analysis_lib.report.sustain import FREQUENCY_LABELS, LEVEL_LABELS, ROLE_LABELS

    watch = diag.watchlist()
    metrics = load_catalog()
    catalog = metrics.table
    return _table("watchlist", ("Watch-list", "监测清单"), ("Sustaining the lead: KPIs watched and their re-assessment thresholds",
                                                         "保持领先：监测指标及重新评估阈值"), [
        ("Metric id", "指标代码", "text", watch["metric_id"]),
        ("KPI", "指标", "text", [catalog.at[m, f"label_{language}"] for m in watch["metric_id"]]),
        ("Unit", "单位", "text", [metrics.unit_label(m, language) for m in watch["metric_id"]]),
        ("Now", "现值", METRIC_UNIT, watch["value"]),
        ("Peer percentile", "同业百分位", "score", watch["percentile"]),
        ("Watched for", "监测原因", "text", [ROLE_LABELS[r][language] for r in watch["role"]]),
        ("Re-assess if worse than", "重新评估阈值", METRIC_UNIT, watch["threshold"]),
        ("Peer threshold", "同业阈值", "text", [LEVEL_LABELS[v][language] for v in watch["level"]]),
        ("Owner", "责任部门", "text", watch[f"owner_{language}"]),
        ("Data source", "数据来源", "text", watch[f"data_source_{language}"]),
        ("Measured", "监测频率", "text", [FREQUENCY_LABELS.get(f, {}).get(language, "") for f in watch["frequency"]]),
    ], language, ("peer quartiles of the peer group (baseline quantiles below 10 peers); data/kpi_tracking.csv",
                  "同业组分位数（同业不足10家时取基准分位数）；KPI跟踪表"),
        row_units=tuple(catalog.loc[watch["metric_id"], "unit"]), row_decimals=tuple(int(d) for d in catalog.loc[watch["metric_id"], "decimals"]))


def _data_quality(diag, language: str) -> DataTable:
    from analysis_lib.report.text import word

    q = diag.quality
    keys = ["completeness", "consistency", "accuracy", "overall"]
    breaks = diag.consistency_breaks
    rows = [(k, word(k, language), float(q[k]), "") for k in keys]
    rows += [(f"rule:{b.rule}", b.rule, None, f"{b.left:,.2f} vs {b.right:,.2f}") for b in breaks.itertuples(index=False)]
    return _table("data_quality", ("Data quality", "数据质量"), ("Data-quality scores and broken consistency rules",
                                                               "数据质量得分与未通过的一致性规则"), [
        ("Key", "代码", "text", [r[0] for r in rows]), ("Check", "检查项", "text", [r[1] for r in rows]),
        ("Score", "得分", "score", [r[2] for r in rows]), ("Values compared", "比较数值", "text", [r[3] for r in rows]),
    ], language, (f"Validated file: {Path(diag.validation.file).name}", f"校验文件：{Path(diag.validation.file).name}"))


def _sources(diag, language: str) -> DataTable:
    from analysis_lib.reference.baselines import load_baselines
    from analysis_lib.reference.catalog import load_catalog

    baselines = load_baselines()
    group = diag.peer_group if diag.peer_group in baselines.index.get_level_values(0) else "all_banks"
    catalog = load_catalog().table
    table = baselines.loc[group].reindex(catalog.index)
    source = "source_zh" if language == "zh" else "source"
    return _table("sources", ("Sources", "数据来源"), (f"Baselines of peer group {group} with their sources", f"同业组{group}的基准及来源"), [
        ("Metric id", "指标代码", "text", table.index), ("Metric", "指标", "text", catalog[f"label_{language}"]),
        ("Unit", "单位", "text", catalog["unit"]), ("P25", "P25", METRIC_UNIT, table["p25"]), ("P50", "P50", METRIC_UNIT, table["p50"]),
        ("P75", "P75", METRIC_UNIT, table["p75"]), ("Peers", "样本数", "count", table["n"]), ("Source", "来源", "text", table[source]),
        ("Year", "年份", "text", table["year"]), ("Confidence", "可信度", "text", table["confidence"]),
    ], language, ("data/baselines.csv (see data/SOURCES.md)", "基准表（见data/SOURCES.md）"),
        row_units=tuple(catalog["unit"]), row_decimals=tuple(int(d) for d in catalog["decimals"]))


BUILDERS = {"positioning": _positioning, "scores": _scores, "frontier": _frontier, "gaps": _gaps, "value_chain": _value_chain,
            "initiatives": _initiatives, "cost_lines": _cost_lines, "cash_flows": _cash_flows, "business_case": _business_case,
            "scenarios": _scenarios, "tornado": _tornado, "monte_carlo": _monte_carlo, "roadmap": _roadmap, "risks": _risks,
            "kpi_scorecard": _kpi_scorecard, "data_quality": _data_quality, "sources": _sources}
"""Every sheet of the data pack, in order (after the README)."""
PROGRAMME_SHEETS = ("cost_lines", "cash_flows", "business_case", "scenarios", "tornado", "monte_carlo", "roadmap", "risks", "kpi_scorecard")
"""Sheets that describe a programme: a leader without one gets the
watch-list sheet in their place (:mod:`analysis_lib.report.sustain`)."""


def datapack_tables(diag, language: str | None = None) -> dict[str, DataTable]:
    """Every table behind the report, from the diagnostic the report renders.

    Examples
    --------
    >>> from analysis_lib.report.diagnostic import run_diagnostic
    >>> tables = datapack_tables(run_diagnostic(institution_id="CITY-02", mc_draws=1000))
    >>> list(tables)[:4], tables["business_case"].frame.iloc[0, 0]
    (['positioning', 'scores', 'frontier', 'gaps'], 'npv')
    """
    language = language or diag.language
    if diag.sustains_lead:
        builders = {k: b for k, b in BUILDERS.items() if k not in PROGRAMME_SHEETS}
        builders = dict(list(builders.items())[:builders_index(builders, "initiatives")] + [("watchlist", _watchlist)]
                        + list(builders.items())[builders_index(builders, "initiatives"):])
        return {key: build(diag, language) for key, build in builders.items()}
    return {key: build(diag, language) for key, build in BUILDERS.items()}


def builders_index(builders: dict, key: str) -> int:
    """Position just after ``key`` in an ordered mapping of sheet builders."""
    return list(builders).index(key) + 1


# ------------------------------------------------------------------ the workbook

README_TEXT = {
    "en": ["CRM diagnostic data pack: the tables behind the report of {name} ({id}), run {date}.",
           "Every number is unrounded: money in CNY (yuan), rates as fractions shown as percentages; each header names its unit.",
           "Columns headed Value / Current / Target / P10 … take the unit of their row (the Unit column).",
           "The same numbers as the report and summary.json (one diagnostic run; Monte Carlo seed {seed})."],
    "zh": ["CRM诊断数据包：{name}（{id}）报告背后的全部表格，运行时间{date}。",
           "所有数字均未取整：金额单位为元，比率以小数存储、按百分比显示；每个表头注明单位。",
           "“数值/现状/目标/P10……”等列的单位见该行的“单位”列。",
           "与报告及summary.json的数字一致（同一次诊断运行；蒙特卡洛随机种子{seed}）。"],
}


def _number_format(unit: str, decimals: int | None = None) -> str | None:
    if unit == "ratio" and decimals is not None:
        return "0" + ("." + "0" * max(decimals - 2, 1)) + "%"
    if unit in ("CNY", "hours", "minutes", "days", "count") and decimals is not None:
        return "#,##0" + ("." + "0" * decimals if decimals else "")
    return NUMBER_FORMATS.get(unit)


def _safe_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _display_width(value: Any) -> int:
    text = str(value) if value is not None else ""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _write_sheet(ws, table: DataTable, language: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    header = table.header(language)
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="0072B2")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(table.frame.itertuples(index=False), start=2):
        for c, (value, unit) in enumerate(zip(row, table.units), start=1):
            value = _plain(value)
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = _safe_text(value)
                cell.data_type = "s"  # text stays text: "=…" is never a formula
                continue
            cell.value = value
            row_unit = table.row_units[r - 2] if unit == METRIC_UNIT and table.row_units else unit
            decimals = table.row_decimals[r - 2] if unit == METRIC_UNIT and table.row_decimals else None
            fmt = _number_format(row_unit, decimals)
            if fmt and isinstance(value, (int, float)) and not isinstance(value, bool):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    _print_setup(ws)
    if len(table.frame):
        ws.auto_filter.ref = ws.dimensions
    for c, name in enumerate(header, start=1):
        width = max([_display_width(name) // 2 + 2, *(_display_width(v) + 2 for v in table.frame.iloc[:200, c - 1])])
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = min(max(width, 8), 60)


def _print_setup(ws) -> None:
    """Landscape, one page wide, the header row repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def datapack_bytes(payload: dict[str, Any]) -> bytes:
    """The data pack workbook (``.xlsx`` bytes) from a recorded payload
    (:func:`datapack_payload`)."""
    language = payload["language"]
    facts = {"name": payload["name"], "id": payload["institution_id"], "date": payload["date"], "seed": payload["seed"]}
    return workbook_bytes([DataTable.from_payload(t) for t in payload["tables"]], [line.format(**facts) for line in README_TEXT[language]],
                          language)


def workbook_bytes(tables: list[DataTable], readme_lines: list[str], language: str = "en") -> bytes:
    """A workbook of ``tables`` (one sheet each, headers with units, number
    formats, frozen header row, filters) after a README sheet that opens
    with ``readme_lines`` and lists the sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    readme = wb.active
    readme.title = "README" if language == "en" else "说明"
    for line in readme_lines:
        readme.append([line])
    readme.append([])
    readme.append(["Sheet", "Contents", "Rows", "Source"] if language == "en" else ["工作表", "内容", "行数", "来源"])
    readme.cell(row=readme.max_row, column=1).font = Font(bold=True)
    for table in tables:
        readme.append([table.sheet, table.title, len(table.frame), table.source])
        cell = readme.cell(row=readme.max_row, column=1)
        cell.hyperlink = f"#'{table.sheet}'!A1"
        cell.font = Font(color="0072B2", underline="single")
    readme["A1"].font = Font(bold=True, size=13)
    for column, width in zip("ABCD", (22, 60, 8, 70)):
        readme.column_dimensions[column].width = width
    _print_setup(readme)
    for table in tables:
        _write_sheet(wb.create_sheet(table.sheet), table, language)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def datapack_payload(diag) -> dict[str, Any]:
    """The data pack as plain JSON values (recorded by the notebook)."""
    return {"language": diag.language, "institution_id": diag.institution_id, "name": str(diag.institution.get("name", "")),
            "date": diag.stamp.get("run_started_utc", "")[:10], "seed": diag.params["seed"],
            "tables": [t.to_payload() for t in datapack_tables(diag).values()]}


def write_datapack(payload: dict[str, Any], path: str | Path) -> Path:
    """Write the data pack atomically.

    Examples
    --------
    >>> import tempfile
    >>> from analysis_lib.report.diagnostic import run_diagnostic
    >>> path = write_datapack(datapack_payload(run_diagnostic(institution_id="CITY-01", mc_draws=1000)), Path(tempfile.mkdtemp()) / "d.xlsx")
    >>> import openpyxl; openpyxl.load_workbook(path).sheetnames[:3]
    ['README', 'Positioning', 'Scores']
    """
    from analysis_lib.report.export import atomic_write_bytes

    atomic_write_bytes(Path(path), datapack_bytes(payload))
    return Path(path)
