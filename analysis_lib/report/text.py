"""Report wording in English and Chinese: section titles, table headers, chart
labels and number formats. Metric, dimension and peer-group labels come from
the catalog; this module holds only the report's own words."""

from __future__ import annotations

import math

from analysis_lib.errors import ParameterError
from analysis_lib.reference.catalog import DIMENSION_LABELS, LANGUAGES, load_peer_groups

SECTIONS: dict[str, dict[str, str]] = {
    "cover": {"en": "CRM Cost and Efficiency Diagnostic", "zh": "客户关系管理（CRM）成本与效能诊断报告"},
    "executive_summary": {"en": "Executive summary", "zh": "执行摘要"},
    "scorecard": {"en": "Six-dimension scorecard", "zh": "六维指标评分卡"},
    "positioning": {"en": "Peer positioning", "zh": "同业对标定位"},
    "frontier": {"en": "Frontier efficiency", "zh": "前沿效率分析"},
    "expectations": {"en": "Size-adjusted expectations", "zh": "规模调整后的预期水平"},
    "gaps": {"en": "Gaps and value at stake", "zh": "差距与价值空间"},
    "initiatives": {"en": "Initiative prioritisation", "zh": "举措优先级排序"},
    "business_case": {"en": "Business case", "zh": "投资效益分析"},
    "option_value": {"en": "Option value of a pilot-first rollout", "zh": "试点先行的期权价值"},
    "roadmap": {"en": "Roadmap and critical path", "zh": "实施路线图与关键路径"},
    "risk": {"en": "Risk heat map and contingency", "zh": "风险热力图与应急预算"},
    "customers": {"en": "Customer analytics", "zh": "客户分析"},
    "kpi_tracking": {"en": "KPI tracking scorecard", "zh": "KPI跟踪评分卡"},
    "organisation": {"en": "Organisation and change management", "zh": "组织与变革管理"},
    "data_protection": {"en": "Data governance and personal-information protection", "zh": "数据治理与个人信息保护"},
    "data_quality": {"en": "Appendix A: Data quality", "zh": "附录A：数据质量"},
    "methodology": {"en": "Appendix B: Methodology and sources", "zh": "附录B：方法与数据来源"},
    "reproducibility": {"en": "Appendix C: Reproducibility", "zh": "附录C：可复现性信息"},
}

WORDS: dict[str, dict[str, str]] = {
    "institution": {"en": "Institution", "zh": "机构"},
    "peer_group": {"en": "Peer group", "zh": "同业组"},
    "date": {"en": "Date", "zh": "日期"},
    "parameters": {"en": "Parameters", "zh": "参数"},
    "confidential": {"en": "Confidential", "zh": "保密"},
    "page": {"en": "Page", "zh": "第"},
    "of": {"en": "of", "zh": "页，共"},
    "metric": {"en": "Metric", "zh": "指标"},
    "dimension": {"en": "Dimension", "zh": "维度"},
    "value": {"en": "Value", "zh": "数值"},
    "peer_median": {"en": "Peer median", "zh": "同业中位数"},
    "percentile": {"en": "Percentile", "zh": "分位"},
    "quartile": {"en": "Quartile", "zh": "四分位"},
    "status": {"en": "Status", "zh": "状态"},
    "score": {"en": "Score", "zh": "得分"},
    "current": {"en": "Current", "zh": "现状"},
    "target": {"en": "Target", "zh": "目标"},
    "gap": {"en": "Gap", "zh": "差距"},
    "value_at_stake": {"en": "Value at stake (CNY m a year)", "zh": "价值空间（百万元/年）"},
    "initiative": {"en": "Initiative", "zh": "举措"},
    "category": {"en": "Category", "zh": "类别"},
    "one_off_cost": {"en": "One-off cost (CNY m)", "zh": "一次性投入（百万元）"},
    "running_cost": {"en": "Running cost (CNY m a year)", "zh": "年运营成本（百万元）"},
    "effort": {"en": "Effort (1-5)", "zh": "实施难度（1-5）"},
    "months": {"en": "Months to value", "zh": "见效月数"},
    "sequenced_value": {"en": "Value captured (CNY m a year)", "zh": "可实现价值（百万元/年）"},
    "year": {"en": "Year", "zh": "年"},
    "amount_m": {"en": "CNY m", "zh": "百万元"},
    "npv": {"en": "NPV", "zh": "净现值"},
    "irr": {"en": "IRR", "zh": "内部收益率"},
    "mirr": {"en": "MIRR", "zh": "修正内部收益率"},
    "payback": {"en": "Payback (years)", "zh": "回收期（年）"},
    "discounted_payback": {"en": "Discounted payback (years)", "zh": "折现回收期（年）"},
    "roi": {"en": "ROI multiple", "zh": "投资回报倍数"},
    "bcr": {"en": "Benefit/cost ratio", "zh": "效益成本比"},
    "tco": {"en": "TCO over the horizon (CNY m)", "zh": "期内总拥有成本（百万元）"},
    "scenario": {"en": "Scenario", "zh": "情景"},
    "base": {"en": "Base", "zh": "基准"},
    "pessimistic": {"en": "Pessimistic", "zh": "悲观"},
    "optimistic": {"en": "Optimistic", "zh": "乐观"},
    "driver": {"en": "Driver", "zh": "驱动因素"},
    "probability": {"en": "Probability", "zh": "可能性"},
    "impact": {"en": "Impact", "zh": "影响"},
    "risk": {"en": "Risk", "zh": "风险"},
    "response": {"en": "Response", "zh": "应对策略"},
    "owner": {"en": "Owner", "zh": "负责人"},
    "exposure": {"en": "Expected exposure (CNY m)", "zh": "预期损失（百万元）"},
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
    "mean_clv": {"en": "Mean CLV", "zh": "平均生命周期价值"},
    "clv_at_risk": {"en": "CLV at risk", "zh": "风险中的生命周期价值"},
    "institution_marker": {"en": "This institution", "zh": "本机构"},
    "peers": {"en": "Peers", "zh": "同业"},
    "frequency": {"en": "Draws", "zh": "模拟次数"},
    "cumulative": {"en": "Cumulative net cash flow", "zh": "累计净现金流"},
    "benefit": {"en": "Benefits", "zh": "收益"},
    "build": {"en": "Build", "zh": "建设投入"},
    "contingency": {"en": "Contingency", "zh": "应急预算"},
    "run": {"en": "Run", "zh": "运维投入"},
    "value_axis": {"en": "Value captured (CNY m a year)", "zh": "可实现价值（百万元/年）"},
    "cost_axis": {"en": "One-off cost (CNY m)", "zh": "一次性投入（百万元）"},
    "quick win": {"en": "Quick win", "zh": "速赢"},
    "strategic": {"en": "Strategic", "zh": "战略性"},
    "defer": {"en": "Defer", "zh": "暂缓"},
    "red": {"en": "Red", "zh": "红"},
    "amber": {"en": "Amber", "zh": "黄"},
    "green": {"en": "Green", "zh": "绿"},
    "n/a": {"en": "n/a", "zh": "无"},
    "public": {"en": "public", "zh": "公开数据"},
    "template": {"en": "template", "zh": "方法模板"},
    "assumption": {"en": "assumption", "zh": "假设"},
}


UNITS: dict[str, dict[str, str]] = {
    "ratio": {"en": "%", "zh": "%"}, "CNY": {"en": "CNY", "zh": "元"}, "count": {"en": "count", "zh": "个"},
    "hours": {"en": "hours", "zh": "小时"}, "minutes": {"en": "minutes", "zh": "分钟"}, "days": {"en": "days", "zh": "天"},
    "score": {"en": "score", "zh": "分"},
}
TARGET_SETS: dict[str, dict[str, str]] = {
    "top_quartile": {"en": "peer top-quartile", "zh": "同业前25%"}, "best_in_class": {"en": "best-in-class", "zh": "同业最佳（前10%）"},
    "template": {"en": "programme (methodology template)", "zh": "方法模板项目目标"}, "frontier": {"en": "DEA frontier", "zh": "DEA前沿"},
    "custom": {"en": "custom", "zh": "自定义"},
}


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


def word(key: str, language: str) -> str:
    """A report word or label.

    Examples
    --------
    >>> word("peer_median", "en")
    'Peer median'
    """
    return WORDS[key][check_language(language)]


def dimension_label(dimension: str, language: str) -> str:
    return DIMENSION_LABELS[dimension][check_language(language)]


def peer_group_label(group: str, language: str) -> str:
    groups = load_peer_groups()
    return str(groups.at[group, f"label_{check_language(language)}"]) if group in groups.index else group


def money_m(value: float, language: str = "en", decimals: int = 1) -> str:
    """CNY millions, e.g. ``CNY 1,234.5m`` / ``1,234.5百万元``.

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
