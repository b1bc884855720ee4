"""Report wording in English and Chinese: section titles, table headers, chart
labels, the glossary and number formats. Metric, dimension and peer-group
labels come from the catalog, terms and their definitions from
``data/glossary.csv``; this module holds only the report's own words.

Money follows one unit policy per language: a table (or chart) shows all its
amounts in one unit chosen by the magnitude of its largest amount — 万元 or
亿元 in Chinese, CNY m or CNY bn in English — and its header names that unit
(:func:`money_scale`, :func:`money_header`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis_lib.errors import InputDataError, ParameterError
from analysis_lib.reference.catalog import DIMENSION_LABELS, LANGUAGES, UNIT_LABELS, _read_reference_csv, load_peer_groups

SECTIONS: dict[str, dict[str, str]] = {
    "cover": {"en": "CRM Cost and Efficiency Diagnostic", "zh": "客户关系管理（CRM）成本与效能诊断报告"},
    "executive_summary": {"en": "Executive summary", "zh": "执行摘要"},
    "scorecard": {"en": "Six-dimension scorecard", "zh": "六维指标评分卡"},
    "positioning": {"en": "Peer positioning", "zh": "同业对标定位"},
    "frontier": {"en": "Frontier efficiency", "zh": "前沿效率分析"},
    "expectations": {"en": "Size-adjusted expectations", "zh": "规模调整后的预期水平"},
    "gaps": {"en": "Gaps and value at stake", "zh": "差距与价值空间"},
    "value_chain": {"en": "From value at stake to benefit", "zh": "从价值空间到收益"},
    "initiatives": {"en": "Initiative prioritisation", "zh": "举措优先级排序"},
    "business_case": {"en": "Business case", "zh": "商业论证"},
    "sustain": {"en": "Sustaining the lead", "zh": "保持领先"},
    "option_value": {"en": "Option value of a pilot-first rollout", "zh": "先行试点的期权价值"},
    "roadmap": {"en": "Roadmap and critical path", "zh": "实施路线图与关键路径"},
    "risk": {"en": "Risk heat map and contingency", "zh": "风险热力图与应急预算"},
    "customers": {"en": "Customer analytics", "zh": "客户分析"},
    "kpi_tracking": {"en": "KPI tracking scorecard", "zh": "KPI跟踪评分卡"},
    "organisation": {"en": "Organisation and change management", "zh": "组织与变革管理"},
    "data_protection": {"en": "Data governance and personal-information protection", "zh": "数据治理与个人信息保护"},
    "technology": {"en": "Technology and vendor selection", "zh": "技术与供应商选择"},
    "data_quality": {"en": "Appendix A: Data quality", "zh": "附录A：数据质量"},
    "methodology": {"en": "Appendix B: Methodology and sources", "zh": "附录B：方法与数据来源"},
    "glossary": {"en": "Appendix C: Glossary", "zh": "附录C：术语表"},
    "reproducibility": {"en": "Appendix D: Reproducibility", "zh": "附录D：可复现性信息"},
}

WORDS: dict[str, dict[str, str]] = {
    "base_above_median": {"en": "the base case takes each driver's most likely value, and delays and cost overruns are skewed to the "
                                "downside (IT programmes run late and over budget far more often than early and under)",
                          "zh": "基准情景取各驱动因素的最可能值，而延期与成本超支向不利方向偏斜（信息科技项目延期、超支远多于提前、节约）"},
    "base_below_median": {"en": "the benefit drivers can rise further than they can fall", "zh": "收益驱动因素的上行空间大于下行空间"},
    "institution": {"en": "Institution", "zh": "机构"},
    "peer_group": {"en": "Peer group", "zh": "同业组"},
    "date": {"en": "Date", "zh": "日期"},
    "parameters": {"en": "Parameters", "zh": "参数"},
    "confidential": {"en": "Confidential", "zh": "保密"},
    "prepared_for": {"en": "Prepared for", "zh": "呈送"},
    "reference_only": {"en": "reference only", "zh": "仅供参考"},
    "prepared_by": {"en": "Prepared by", "zh": "编制"},
    "executive_committee": {"en": "{name}, executive committee", "zh": "{name}行长办公会"},
    "engagement_team": {"en": "The engagement team", "zh": "项目组"},
    "page": {"en": "Page", "zh": "第"},
    "of": {"en": "of", "zh": "页，共"},
    "metric": {"en": "Metric", "zh": "指标"},
    "dimension": {"en": "Dimension", "zh": "维度"},
    "value": {"en": "Value", "zh": "数值"},
    "peer_median": {"en": "Peer median", "zh": "同业中位数"},
    "percentile": {"en": "Percentile", "zh": "同业百分位"},
    "quartile": {"en": "Quartile", "zh": "四分位"},
    "status": {"en": "Status", "zh": "状态"},
    "score": {"en": "Score", "zh": "得分"},
    "current": {"en": "Current", "zh": "现状"},
    "target": {"en": "Target", "zh": "目标"},
    "gap": {"en": "Gap", "zh": "差距"},
    "value_at_stake": {"en": "Value at stake ({unit} a year)", "zh": "价值空间（{unit}/年）"},
    "initiative": {"en": "Initiative", "zh": "举措"},
    "category": {"en": "Category", "zh": "类别"},
    "one_off_cost": {"en": "One-off cost ({unit})", "zh": "一次性投入（{unit}）"},
    "running_cost": {"en": "Running cost ({unit} a year)", "zh": "年运营成本（{unit}/年）"},
    "effort": {"en": "Effort (1-5)", "zh": "实施难度（1—5级）"},
    "months": {"en": "Months to value", "zh": "见效时间（月）"},
    "key_moves": {"en": "The moves that create most of the value", "zh": "创造主要价值的关键举措"},
    "first_100_days": {"en": "The first 100 days", "zh": "前100天行动计划"},
    "day": {"en": "By day", "zh": "完成时间（第几天）"},
    "action": {"en": "Action", "zh": "行动"},
    "sequenced_value": {"en": "Gross value captured ({unit} a year, before addressable share and risk haircut)",
                        "zh": "可实现毛价值（{unit}/年，未计可影响比例与风险折减）"},
    "year": {"en": "Year", "zh": "年份"},
    "years_from_kickoff": {"en": "Years from kick-off", "zh": "自项目启动起年数"},
    "cash_flow_chart": {"en": "Net cash flow by year and cumulative", "zh": "各年净现金流与累计净现金流"},
    "amount": {"en": "{unit}", "zh": "{unit}"},
    "npv": {"en": "NPV", "zh": "净现值"},
    "npv_base": {"en": "NPV, base case", "zh": "净现值（基准情景）"},
    "base_case_marker": {"en": "Base case", "zh": "基准情景"},
    "npv_p50": {"en": "NPV, simulated median (P50)", "zh": "净现值模拟中位数（P50）"},
    "npv_p10_p90": {"en": "NPV, simulated P10 / P90", "zh": "净现值模拟P10 / P90"},
    "irr": {"en": "IRR", "zh": "内部收益率"},
    "mirr": {"en": "MIRR", "zh": "修正内部收益率"},
    "payback": {"en": "Payback (years from kick-off)", "zh": "投资回收期（自项目启动起，年）"},
    "discounted_payback": {"en": "Discounted payback (years from kick-off)", "zh": "折现投资回收期（自项目启动起，年）"},
    "payback_unconventional": {"en": "n/a: cumulative cash flow turns negative again", "zh": "不适用：累计现金流回正后再度为负"},
    "roi": {"en": "ROI multiple", "zh": "投资回报倍数"},
    "bcr": {"en": "Benefit/cost ratio", "zh": "效益成本比"},
    "tco": {"en": "TCO over the horizon", "zh": "期内总拥有成本"},
    "scenario": {"en": "Scenario", "zh": "情景"},
    "base": {"en": "Base", "zh": "基准"},
    "pessimistic": {"en": "Pessimistic", "zh": "悲观"},
    "optimistic": {"en": "Optimistic", "zh": "乐观"},
    "driver": {"en": "Driver", "zh": "驱动因素"},
    "probability": {"en": "Probability", "zh": "可能性"},
    "impact": {"en": "Impact", "zh": "影响"},
    "risk": {"en": "Risk", "zh": "风险"},
    "risk_score": {"en": "Score", "zh": "风险值（可能性×影响）"},
    "response": {"en": "Response", "zh": "应对策略"},
    "owner": {"en": "Owner", "zh": "负责人"},
    "exposure": {"en": "Expected exposure ({unit})", "zh": "预期损失（{unit}）"},
    "mitigate": {"en": "mitigate", "zh": "减轻"},
    "avoid": {"en": "avoid", "zh": "规避"},
    "transfer": {"en": "transfer", "zh": "转移"},
    "accept": {"en": "accept", "zh": "承受"},
    "unit": {"en": "Unit", "zh": "单位"},
    "term": {"en": "Term", "zh": "术语"},
    "definition": {"en": "Definition", "zh": "释义"},
    "abbreviations": {"en": "Abbreviations", "zh": "释义"},
    "target_set": {"en": "Targets", "zh": "目标设定"},
    "discount_rate": {"en": "Discount rate", "zh": "折现率"},
    "horizon": {"en": "Horizon", "zh": "测算期"},
    "years_n": {"en": "{n} years", "zh": "{n}年"},
    "peers_n": {"en": "{group} (n = {n})", "zh": "{group}（共{n}家）"},
    "basis": {"en": "Basis of the analysis", "zh": "测算口径"},
    "quantiles": {"en": "Peer p25 / p50 / p75", "zh": "同业25/50/75百分位"},
    "input_file": {"en": "Input file", "zh": "输入文件"},
    "input_hash": {"en": "Input SHA-256", "zh": "输入文件校验值（SHA-256）"},
    "seed": {"en": "Seed", "zh": "随机种子"},
    "run_started": {"en": "Run started", "zh": "运行开始时间"},
    "version": {"en": "Version: {name}", "zh": "软件版本：{name}"},
    "mc_draws": {"en": "Monte Carlo draws", "zh": "蒙特卡洛模拟次数"},
    "language": {"en": "Language", "zh": "报告语言"},
    "customer_extract": {"en": "customer extract", "zh": "客户数据"},
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "task": {"en": "Task", "zh": "任务"},
    "weeks": {"en": "Weeks", "zh": "周"},
    "critical": {"en": "Critical path", "zh": "关键路径"},
    "other_tasks": {"en": "Other tasks", "zh": "其他任务"},
    "milestone": {"en": "Milestone", "zh": "里程碑"},
    "source": {"en": "Source", "zh": "来源"},
    "confidence": {"en": "Confidence", "zh": "可信度"},
    "note": {"en": "Note", "zh": "说明"},
    "completeness": {"en": "Completeness", "zh": "完整性"},
    "consistency": {"en": "Consistency", "zh": "一致性"},
    "accuracy": {"en": "Accuracy", "zh": "准确性"},
    "overall": {"en": "Overall", "zh": "综合"},
    "expected": {"en": "Expected", "zh": "预期值"},
    "residual": {"en": "Difference", "zh": "差异"},
    "peers_to_learn": {"en": "Peers to learn from", "zh": "可借鉴的标杆机构"},
    "why_comparable": {"en": "Why comparable", "zh": "可比依据"},
    "basis_peer_group": {"en": "same peer group", "zh": "同一同业组"},
    "basis_size_band": {"en": "similar size (other group)", "zh": "规模相近（其他同业组）"},
    "dea_theta": {"en": "DEA efficiency θ (CRS)", "zh": "DEA效率值θ（规模报酬不变）"},
    "revenue_vs_own": {"en": "Revenue vs this institution (×)", "zh": "营业收入为本机构的倍数（倍）"},
    "crm_cost_per_customer": {"en": "CRM cost per customer (CNY a year)", "zh": "每客户CRM成本（元/年）"},
    "insufficient_peers": {"en": "insufficient peers", "zh": "同业样本不足"},
    "churn_rate": {"en": "Churn rate", "zh": "流失率"},
    "customers": {"en": "Customers", "zh": "客户数"},
    "retention": {"en": "Retention", "zh": "留存率"},
    "tenure_years": {"en": "Tenure (years)", "zh": "在网年限（年）"},
    "products_held": {"en": "Products held", "zh": "持有产品数"},
    "segment": {"en": "Segment", "zh": "客群"},
    "clv_at_risk_cny": {"en": "CLV at risk (CNY)", "zh": "面临流失风险的客户生命周期价值（元）"},
    "mean_clv_cny": {"en": "Mean CLV (CNY)", "zh": "平均客户生命周期价值（元）"},
    "driver_feature": {"en": "Customer attribute", "zh": "客户特征"},
    "driver_groups": {"en": "Compared groups (low → high)", "zh": "比较组（低 → 高）"},
    "raw_churn": {"en": "Raw churn, low → high (%)", "zh": "实际流失率，低 → 高（%）"},
    "raw_difference": {"en": "Raw difference (points)", "zh": "实际差异（百分点）"},
    "model_difference": {"en": "Model, other things equal (points)", "zh": "模型差异，其他条件相同（百分点）"},
    "driver_shown": {"en": "Model and data agree", "zh": "模型与数据是否一致"},
    "no_disagrees": {"en": "no: no sentence", "zh": "否：不写入结论"},
    "no_small": {"en": "yes, under 1 point", "zh": "是，影响不足1个百分点"},
    "both_small": {"en": "no effect (both under 1 point)", "zh": "无明显影响（均不足1个百分点）"},
    "high value, high risk": {"en": "High value, high risk", "zh": "高价值、高风险"},
    "high value, low risk": {"en": "High value, low risk", "zh": "高价值、低风险"},
    "low value, high risk": {"en": "Low value, high risk", "zh": "低价值、高风险"},
    "low value, low risk": {"en": "Low value, low risk", "zh": "低价值、低风险"},
    "book_deposits": {"en": "deposits / AUM", "zh": "存款及管理资产"},
    "book_cards": {"en": "cards", "zh": "信用卡"},
    "book_loans": {"en": "loans", "zh": "贷款"},
    "institution_marker": {"en": "This institution", "zh": "本机构"},
    "peers": {"en": "Peers", "zh": "同业"},
    "frequency": {"en": "Draws", "zh": "模拟次数"},
    "cumulative": {"en": "Cumulative net cash flow", "zh": "累计净现金流"},
    "benefit": {"en": "Benefits", "zh": "收益"},
    "build": {"en": "Build", "zh": "建设投入"},
    "contingency": {"en": "Contingency", "zh": "应急预算"},
    "run": {"en": "Run", "zh": "运维投入"},
    "value_axis": {"en": "Value captured ({unit} a year)", "zh": "可实现价值（{unit}/年）"},
    "cost_axis": {"en": "One-off cost ({unit})", "zh": "一次性投入（{unit}）"},
    "quick win": {"en": "Quick win", "zh": "速赢"},
    "strategic": {"en": "Strategic", "zh": "战略性"},
    "defer": {"en": "Defer", "zh": "暂缓"},
    "red": {"en": "Red", "zh": "红灯"},
    "amber": {"en": "Amber", "zh": "黄灯"},
    "green": {"en": "Green", "zh": "绿灯"},
    "n/a": {"en": "n/a", "zh": "无"},
    "not_applicable": {"en": "n/a", "zh": "不适用"},
    "public": {"en": "public", "zh": "公开数据"},
    "template": {"en": "template", "zh": "方法模板"},
    "assumption": {"en": "assumption", "zh": "假设"},
    "peer data": {"en": "peer data", "zh": "同业数据"},
    "benchmark_basis": {"en": "Benchmark basis", "zh": "对标依据"},
    "not_addressable": {"en": "Outside a CRM programme's reach", "zh": "CRM项目无法影响部分"},
    "addressable": {"en": "Addressable", "zh": "可影响部分"},
    "addressable_share": {"en": "Addressable share", "zh": "可影响比例"},
    "captured_share": {"en": "Share of addressable captured", "zh": "可影响部分的获取比例"},
    "not_captured": {"en": "Not captured by the programme", "zh": "项目未获取部分"},
    "initiative_benefit": {"en": "Initiative benefit", "zh": "举措收益"},
    "risk_haircut": {"en": "Risk haircut", "zh": "风险折减"},
    "risk_adjusted_benefit": {"en": "Risk-adjusted benefit", "zh": "风险调整后收益"},
    "value_at_stake_short": {"en": "Value at stake", "zh": "价值空间"},
    "benefit_type": {"en": "Benefit type", "zh": "收益类型"},
    "haircut": {"en": "Haircut", "zh": "折减率"},
    "risk_haircuts": {"en": "Risk haircut by benefit type (TEI)", "zh": "按收益类型的风险折减（总体经济影响法）"},
    "addressable_reasons": {"en": "What a CRM programme can move, and why", "zh": "CRM项目可影响的比例及理由"},
    "programme": {"en": "The programme: selected and dropped initiatives", "zh": "实施项目：入选与未入选举措"},
    "where_value_lies": {"en": "Where the value lies", "zh": "价值所在"},
    "selection": {"en": "The selection rule: why no initiative joins a programme", "zh": "入选规则：为何没有举措入选"},
    "in_programme": {"en": "In programme", "zh": "是否入选"},
    "benefit_cost_ratio_short": {"en": "Benefit/cost (PV)", "zh": "收益/成本（现值）"},
    "reason": {"en": "Reason", "zh": "原因"},
    "benefit_lines": {"en": "Benefit lines", "zh": "收益明细"},
    "benefit_over_horizon": {"en": "Over the horizon", "zh": "期内合计"},
    "cost_lines": {"en": "Cost lines", "zh": "成本明细"},
    "cost_line": {"en": "Cost line", "zh": "成本项"},
    "phase": {"en": "Phase", "zh": "阶段"},
    "contingency_reserve": {"en": "Contingency (risk reserve, {confidence})", "zh": "应急预算（风险储备，{confidence}）"},
    "workstreams": {"en": "Workstreams of the programme", "zh": "项目工作流"},
    "resource_plan": {"en": "Resource plan (programme team)", "zh": "资源计划（项目团队）"},
    "internal_fte_weeks": {"en": "Internal FTE-weeks", "zh": "内部人周"},
    "external_fte_weeks": {"en": "External FTE-weeks", "zh": "外部人周"},
    "quarter_fte": {"en": "Quarter {n} FTE", "zh": "第{n}季度折合全职人数"},
    "resource_quarters": {"en": "Programme team by quarter (full-time equivalents)", "zh": "项目团队各季度折合全职人数"},
    "role": {"en": "Role", "zh": "角色"},
    "fte_weeks": {"en": "FTE-weeks", "zh": "人周"},
    "rule": {"en": "Rule", "zh": "规则"},
    "compared_with": {"en": "Compared with", "zh": "对比值"},
    "plausibility": {"en": "Plausibility", "zh": "合理性"},
}


PROBLEMS_ZH: dict[str, str] = {
    "converted": "已按百分比或万、亿等单位自动换算", "duplicate_id": "机构编号重复", "empty_row": "空行，已忽略", "inconsistent": "与其他字段不一致",
    "missing_id": "缺少机构编号", "missing_value": "缺失", "out_of_range": "超出有效区间", "ragged_row": "字段数与表头不一致",
    "unknown_peer_group": "同业组无法识别", "unsafe_id": "机构编号含不允许的字符", "invalid": "无法识别的取值",
}
"""Data-quality notes in Chinese, by the intake's problem code (the English message is the intake's own)."""


def problem_zh(code: str, row: int | None, column: str, value: str | None) -> str:
    """A data-quality note on a row of the client's file, in Chinese.

    Examples
    --------
    >>> problem_zh("converted", 14, "CRM运营成本占营收比", "2.1%")
    '第14行，CRM运营成本占营收比：已按百分比或万、亿等单位自动换算（原值：2.1%）'
    """
    where = "，".join(part for part in (f"第{row}行" if row is not None else "", column) if part)
    shown = f"（原值：{value}）" if value not in (None, "") else ""
    return f"{where}：{PROBLEMS_ZH.get(code, '数据提示')}{shown}"


UNITS: dict[str, dict[str, str]] = UNIT_LABELS
"""The catalog's unit labels (:data:`analysis_lib.reference.catalog.UNIT_LABELS`)."""
TARGET_SETS: dict[str, dict[str, str]] = {
    "top_quartile": {"en": "peer top-quartile", "zh": "同业前25%"}, "best_in_class": {"en": "best-in-class", "zh": "同业最佳（前10%）"},
    "template": {"en": "programme (methodology template)", "zh": "方法模板项目目标"}, "frontier": {"en": "DEA frontier", "zh": "DEA效率前沿"},
    "custom": {"en": "custom", "zh": "自定义"},
}


def mid_sentence(label: str) -> str:
    """An English label as written inside a sentence: its first word in
    lower case, unless that is an acronym (CRM, AI) or the label a proper
    name in title case (Net Promoter Score).

    Examples
    --------
    >>> mid_sentence("First-contact resolution rate"), mid_sentence("CRM TCO per customer"), mid_sentence("Net Promoter Score")
    ('first-contact resolution rate', 'CRM TCO per customer', 'Net Promoter Score')
    """
    first = label.split(" ", 1)[0]
    proper = any(word[:1].isupper() for word in label.split(" ")[1:])
    keep = first.isupper() or proper or any(ch.isdigit() for ch in first) or first[1:2].isupper()
    return label if keep else label[0].lower() + label[1:]


def unit_label(unit: str, language: str) -> str:
    """A catalog unit in the report's language.

    Examples
    --------
    >>> unit_label("hours", "zh")
    '小时'
    """
    return UNITS.get(unit, {}).get(check_language(language), unit)


def target_set_label(name: str, language: str) -> str:
    """A target set's name in the report's language."""
    return TARGET_SETS.get(name, {}).get(check_language(language), name)


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ParameterError(f"language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    return language


def title(section: str, language: str) -> str:
    """Section title.

    Examples
    --------
    >>> title("gaps", "zh")
    '差距与价值空间'
    """
    return SECTIONS[section][check_language(language)]


def word(key: str, language: str, **fields: object) -> str:
    """A report word or label, with ``fields`` filled in (a money header's
    ``unit``).

    Examples
    --------
    >>> word("peer_median", "en")
    'Peer median'
    >>> word("value_at_stake", "zh", unit="亿元")
    '价值空间（亿元/年）'
    """
    text = WORDS[key][check_language(language)]
    return text.format(**fields) if fields else text


def dimension_label(dimension: str, language: str) -> str:
    return DIMENSION_LABELS[dimension][check_language(language)]


def peer_group_label(group: str, language: str) -> str:
    groups = load_peer_groups()
    return str(groups.at[group, f"label_{check_language(language)}"]) if group in groups.index else group


def money_m(value: float, language: str = "en", decimals: int = 1) -> str:
    """One amount in prose: CNY millions in English, 万元 or 亿元 by magnitude in Chinese.

    Examples
    --------
    >>> money_m(1.2345e9)
    'CNY 1,234.5m'
    >>> money_m(2.5e8, "zh")
    '2.50亿元'
    """
    if value is None or not math.isfinite(value):
        return "–"
    if language == "zh":
        if abs(value) >= 1e8:
            return f"{value / 1e8:,.2f}亿元"
        return f"{value / 1e4:,.0f}万元"
    return f"CNY {value / 1e6:,.{decimals}f}m"


def percent(value: float, decimals: int = 1) -> str:
    """A fraction as a percentage.

    Examples
    --------
    >>> percent(0.0871)
    '8.7%'
    """
    if value is None or not math.isfinite(value):
        return "–"
    return f"{100 * value:.{decimals}f}%"


def format_value(value: float, unit: str, decimals: int) -> str:
    """A metric value in its unit (ratios as percentages).

    Examples
    --------
    >>> format_value(0.2878, "ratio", 4), format_value(84873, "CNY", 0)
    ('28.78%', '84,873')
    """
    if value is None or not math.isfinite(value):
        return "–"
    if unit == "ratio":
        return f"{100 * value:.{max(decimals - 2, 0)}f}%"
    return f"{value:,.{decimals}f}"


BILLIONS_FROM = 1e9
"""Tables switch to 亿元 (CNY bn in English) when their largest amount reaches 10亿 (CNY 10bn)."""


@dataclass(frozen=True)
class MoneyScale:
    """One money unit for a table or chart: amounts are divided by
    ``divisor`` and shown with ``decimals`` decimals; ``unit`` goes in the
    header."""

    divisor: float
    decimals: int
    unit: str

    def number(self, value: float) -> str:
        """An amount in this unit, without the unit.

        Examples
        --------
        >>> MoneyScale(1e8, 2, "亿元").number(3.267e9)
        '32.67'
        """
        if value is None or not math.isfinite(value):
            return "–"
        return f"{value / self.divisor:,.{self.decimals}f}"

    def amount(self, value: float) -> str:
        """An amount in this unit, with the unit: ``32.67亿元``, ``CNY 6,181.8m``.

        Examples
        --------
        >>> MoneyScale(1e6, 1, "CNY m").amount(6.1818e9), MoneyScale(1e8, 2, "亿元").amount(3.267e9)
        ('CNY 6,181.8m', '32.67亿元')
        """
        currency, _, suffix = self.unit.partition(" ")
        return f"{currency} {self.number(value)}{suffix}" if suffix else f"{self.number(value)}{self.unit}"

    def values(self, values) -> list[str]:
        return [self.number(float(v)) for v in values]


def money_scale(values, language: str) -> MoneyScale:
    """The money unit of a table or chart, chosen by its largest amount:
    亿元 from 10亿 (else 万元, so that smaller amounts keep their digits) in
    Chinese, CNY bn from CNY 10 billion (else CNY m) in English.

    Examples
    --------
    >>> money_scale([3.2e9, 8e5], "zh").unit, money_scale([4.5e8], "zh").unit
    ('亿元', '万元')
    >>> money_scale([3.2e10], "en").unit, money_scale([4.5e8], "en").unit
    ('CNY bn', 'CNY m')
    """
    array = np.abs(np.asarray(values, dtype=float).ravel())
    largest = float(np.nanmax(array)) if array.size and np.isfinite(array).any() else 0.0
    if check_language(language) == "zh":
        return MoneyScale(1e8, 2, "亿元") if largest >= BILLIONS_FROM else MoneyScale(1e4, 0, "万元")
    return MoneyScale(1e9, 2, "CNY bn") if largest >= 10 * BILLIONS_FROM else MoneyScale(1e6, 1, "CNY m")


def money_header(key: str, scale: MoneyScale, language: str) -> str:
    """A money column's header with its unit.

    Examples
    --------
    >>> money_header("one_off_cost", money_scale([2e7], "zh"), "zh")
    '一次性投入（万元）'
    """
    return word(key, language, unit=scale.unit)


def with_unit(label: str, unit: str, language: str) -> str:
    """A label with its unit in brackets (full-width in Chinese).

    Examples
    --------
    >>> with_unit("净现值", "亿元", "zh"), with_unit("NPV", "CNY m", "en")
    ('净现值（亿元）', 'NPV (CNY m)')
    """
    return f"{label}（{unit}）" if check_language(language) == "zh" else f"{label} ({unit})"


def response_label(response: str, language: str) -> str:
    """A risk response (mitigate, avoid, transfer, accept) in the report's language."""
    return WORDS[response][check_language(language)] if response in WORDS else response


# ------------------------------------------------------------------ glossary

GLOSSARY_COLUMNS = ("key", "en", "zh", "abbreviation", "definition_en", "definition_zh")


@lru_cache(maxsize=1)
def load_glossary() -> pd.DataFrame:
    """``data/glossary.csv``: the report's terms in English and Chinese with
    their definitions and abbreviations, indexed by key.

    Examples
    --------
    >>> load_glossary().at["npv", "zh"], load_glossary().at["npv", "abbreviation"]
    ('净现值', 'NPV')
    """
    table = _read_reference_csv("glossary.csv")
    missing = [c for c in GLOSSARY_COLUMNS if c not in table.columns]
    if missing:
        raise InputDataError(f"data/glossary.csv: missing columns {missing}; expected {', '.join(GLOSSARY_COLUMNS)}")
    table["abbreviation"] = table["abbreviation"].fillna("").astype(str)
    for column in ("key", "en", "zh", "definition_en", "definition_zh"):
        empty = table[column].isna() | table[column].astype(str).str.strip().eq("")
        if empty.any():
            raise InputDataError(f"data/glossary.csv, row {int(np.flatnonzero(empty)[0]) + 2}, column '{column}': empty; every term "
                                 "needs both languages and both definitions")
    if table["key"].duplicated().any():
        raise InputDataError(f"data/glossary.csv: duplicate key {table.loc[table['key'].duplicated(), 'key'].iloc[0]!r}")
    return table.set_index("key")


def term(key: str, language: str) -> str:
    """A glossary term in the report's language.

    Examples
    --------
    >>> term("peer_percentile", "zh")
    '同业百分位'
    """
    return str(load_glossary().at[key, check_language(language)])


def abbreviations() -> dict[str, str]:
    """Accepted abbreviations with their Chinese names, in glossary order.

    Examples
    --------
    >>> abbreviations()["DEA"]
    '数据包络分析'
    """
    table = load_glossary()
    rows = table[table["abbreviation"] != ""]
    return dict(zip(rows["abbreviation"], rows["zh"]))
