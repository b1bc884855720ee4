"""Action titles: the one-sentence takeaway that opens each section of the
client report, computed from the section's own results.

A section's heading says what it is about ("Gap analysis"); its action title
says what the reader should take from it ("Closing the gaps is worth CNY
1,238.4m a year, 10.2% of revenue, led by products per customer"). The
same sentence is the slide title of the deck. Appendix-type sections (cover,
methodology, glossary, reproducibility) and the executive summary, which
carries the verdict itself, have none.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis_lib.gaps.value_chain import SELECTION_HURDLE
from analysis_lib.reference.catalog import load_catalog
from analysis_lib.reference.sample import localised_name
from analysis_lib.report.text import dimension_label, mid_sentence, money_m, peer_group_label, percent

NO_ACTION_TITLE = frozenset({"cover", "executive_summary", "methodology", "glossary", "reproducibility"})
"""Sections that open without an action title."""


def _name(diag) -> str:
    name = diag.institution.get("name")
    return localised_name(name, diag.peer_group, diag.language) if isinstance(name, str) and name else diag.institution_id


def _metric(metric_id: str, language: str) -> str:
    return str(load_catalog().table.at[metric_id, f"label_{language}"])


def _scorecard(diag, language: str) -> str:
    card = diag.scorecard()
    score = float(diag.scores()["overall"])
    red = int((card["rag"] == "red").sum())
    group = peer_group_label(diag.peer_group, language)
    dims = diag.scores().drop(labels="overall", errors="ignore").astype(float)
    weakest = dimension_label(str(dims.idxmin()), language)
    if language == "zh":
        return f"{_name(diag)}综合得分{score:.0f}分（满分100），{red}项指标亮红灯，最弱维度为{weakest}（{group}同业比较）。"
    return (f"{_name(diag)} scores {score:.0f} of 100 against {group.lower()}; {red} of {len(card)} metrics are red, and "
            f"{weakest.lower()} is the weakest dimension.")


def _positioning(diag, language: str) -> str:
    card = diag.scorecard()
    bottom = card[card["quartile"] == 4]
    top = card[card["quartile"] == 1]
    if len(bottom) >= len(top):
        worst = bottom.sort_values("percentile").head(2)["metric_id"].tolist() or card.sort_values("percentile").head(2)["metric_id"].tolist()
        names = "、".join(_metric(m, language) for m in worst) if language == "zh" else " and ".join(mid_sentence(_metric(m, language)) for m in worst)
        return (f"{len(bottom)}项指标处于同业后25%，差距最大的是{names}。" if language == "zh" else
                f"{len(bottom)} of {len(card)} metrics sit in the bottom quarter of peers, furthest behind on {names}.")
    best = top.sort_values("percentile", ascending=False).head(2)["metric_id"].tolist()
    names = "、".join(_metric(m, language) for m in best) if language == "zh" else " and ".join(mid_sentence(_metric(m, language)) for m in best)
    return (f"{len(top)}项指标处于同业前25%，领先最多的是{names}。" if language == "zh" else
            f"{len(top)} of {len(card)} metrics sit in the top quarter of peers, furthest ahead on {names}.")


def _frontier(diag, language: str) -> str:
    if diag.institution_id not in diag.frontier.index:
        return ""
    row = diag.frontier.loc[diag.institution_id]
    theta = float(row["dea_crs"])
    if theta >= 0.999:
        return ("该机构位于DEA最佳实践前沿（θ = 1.00），可作为同业标杆。" if language == "zh" else
                "The institution is on the DEA best-practice frontier (θ = 1.00): a benchmark for its peers.")
    saving = float(row["crm_cost"] - row["target_crm_cost"])
    return (f"DEA效率为{theta:.2f}：最佳实践仅需{percent(theta, 0)}的CRM成本与人员即可服务同等客户与收入，对应每年约{money_m(saving, language)}的成本空间。"
            if language == "zh" else
            f"DEA efficiency is {theta:.2f}: best practice serves the same customers and revenue with {percent(theta, 0)} of the CRM "
            f"cost and staff, a saving of about {money_m(saving, language)} a year.")


def _expectations(diag, language: str) -> str:
    table = diag.expectations.dropna(subset=["residual_percentile"])
    if table.empty:
        return ""
    lower_better = table["metric_id"].map(load_catalog().table["direction"]).eq("lower_better").to_numpy()
    worse_count = int(np.where(lower_better, table["residual"] > 0, table["residual"] < 0).sum())  # actual worse than expected
    return (f"考虑规模因素后，{len(table)}项关键指标中有{worse_count}项仍差于同等规模机构的预期水平。" if language == "zh" else
            f"Allowing for size, {worse_count} of {len(table)} key metrics are still worse than an institution of this size would be "
            "expected to reach.")


def _gaps(diag, language: str) -> str:
    total = float(diag.gaps.total_value())
    revenue = float(diag.institution["revenue"])
    table = diag.gaps.gaps
    counted = table[table["counted"]].sort_values("value_at_stake", ascending=False)
    if total <= 0 or counted.empty:
        return ("各项指标已达到或优于目标，价值空间可忽略。" if language == "zh" else
                "The institution meets or beats its targets: there is little value at stake.")
    lead = _metric(str(counted.iloc[0]["metric_id"]), language) if counted.iloc[0]["metric_id"] in load_catalog().table.index else \
        ("客户流失" if language == "zh" else "customer churn")
    return (f"缩小与目标的差距每年价值约{money_m(total, language)}（占营业收入{percent(total / revenue)}），首要来源为{lead}。"
            if language == "zh" else
            f"Closing the gaps to target is worth about {money_m(total, language)} a year ({percent(total / revenue)} of revenue), "
            f"led by {lead[0].lower() + lead[1:] if not lead[:3].isupper() else lead}.")


def _value_chain(diag, language: str) -> str:
    totals = diag.value_chain.totals()
    if diag.sustains_lead:
        return (f"每年{money_m(totals['value_at_stake'], language)}的价值空间中，CRM项目可影响{money_m(totals['addressable'], language)}，"
                f"经排序与风险折减后每年仅余{money_m(totals['risk_adjusted_benefit'], language)}，不足以支撑一个项目。" if language == "zh" else
                f"Of {money_m(totals['value_at_stake'], language)} a year at stake, {money_m(totals['addressable'], language)} is within a "
                f"CRM programme's reach and only {money_m(totals['risk_adjusted_benefit'], language)} a year would remain after sequencing "
                "and risk haircuts: too little to pay for a programme.")
    return (f"{money_m(totals['value_at_stake'], language)}的价值空间中，CRM项目可影响{money_m(totals['addressable'], language)}，"
            f"经排序与风险折减后每年{money_m(totals['risk_adjusted_benefit'], language)}计入商业论证。" if language == "zh" else
            f"Of {money_m(totals['value_at_stake'], language)} a year at stake, {money_m(totals['addressable'], language)} is within a "
            f"CRM programme's reach and {money_m(totals['risk_adjusted_benefit'], language)} a year enters the business case after "
            "sequencing and risk haircuts.")


def _initiatives(diag, language: str) -> str:
    selected = list(diag.programme) if diag.rule_selected else []
    total = len(diag.initiatives)
    if not selected:
        return ("没有举措满足入选规则。" if language == "zh" else "No initiative clears the selection rule.")
    benefits = diag.value_chain.by_initiative()["risk_adjusted"]
    top = str(benefits.idxmax())
    share = float(benefits.max() / benefits.sum()) if benefits.sum() > 0 else math.nan
    name = diag.initiatives.at[top, f"name_{language}"]
    return (f"{total}项候选举措中{len(selected)}项满足入选规则，其中“{name}”贡献{percent(share, 0)}的收益。" if language == "zh" else
            f"{len(selected)} of {total} candidate initiatives clear the selection rule; {name} carries {percent(share, 0)} of the benefit.")


def _technology(diag, language: str) -> str:
    from analysis_lib.gaps.selection import load_criteria, load_options, score_options

    options = load_options()
    leader = str(score_options(options, load_criteria()["weight"]).index[0])
    horizon = int(diag.params["horizon_years"])
    costs = diag.sourcing_costs()
    name = str(options.at[leader, "label_zh"]) if language == "zh" else leader
    return (f"加权评分推荐“{name}”，按本项目规模测算{horizon}年总成本{money_m(float(costs.at[leader, 'tco']), language)}（不含应急预算）。"
            if language == "zh" else
            f"{name} leads the vendor matrix; sized to this programme it costs {money_m(float(costs.at[leader, 'tco']), language)} over "
            f"{horizon} years before contingency.")


def _business_case(diag, language: str) -> str:
    case = diag.case
    if diag.sustains_lead:
        from analysis_lib.report.sustain import business_case_title

        return business_case_title(diag, language)
    if not diag.recommended:
        return (f"按当前范围，项目净现值为{money_m(case.npv, language)}，不建议实施。" if language == "zh" else
                f"As scoped, the programme's NPV is {money_m(case.npv, language)}: it is not recommended.")
    irr = percent(case.irr, 0) if case.irr is not None and math.isfinite(case.irr) else "–"
    payback = f"{case.payback_years:.1f}" if case.payback_years is not None and math.isfinite(case.payback_years) else "–"
    prob = percent(float(diag.simulation.prob_npv_positive), 0)
    p50 = money_m(float(np.percentile(diag.simulation.npv, 50)), language)
    return (f"项目总投入{money_m(case.tco, language)}，基准情景净现值{money_m(case.npv, language)}（模拟中位数{p50}），内部收益率{irr}，"
            f"自项目启动起{payback}年收回投资，模拟中净现值为正的概率为{prob}。" if language == "zh" else
            f"The programme costs {money_m(case.tco, language)} and returns a base-case NPV of {money_m(case.npv, language)} (simulated "
            f"median {p50}), IRR {irr}, payback {payback} years from kick-off; the NPV is positive in {prob} of simulations.")


def _option_value(diag, language: str) -> str:
    o = diag.option
    flexibility = float(o["flexibility_value"])
    if flexibility >= 0.005 * max(float(o["option_value"]), 1.0):
        return (f"先试点后推广的灵活性价值为{money_m(flexibility, language)}：试点结果不佳时可放弃推广。" if language == "zh" else
                f"Piloting first is worth {money_m(flexibility, language)} of flexibility: the rollout can be dropped if the pilot "
                "disappoints.")
    return ("按基准数据，推广的期权处于深度实值，放弃选择权价值有限；" if language == "zh" else
            "On the base figures the rollout is deep in the money, so the option to stop adds little; ") + pilot_purpose(diag, language)


def pilot_purpose(diag, language: str) -> str:
    """What a pilot is for when the option to stop adds nothing: testing the
    assumed baselines the case rests on (when the verdict says so), or
    lowering delivery risk."""
    reasons = diag.recommendation().economic_reasons
    if "downside_negative" in reasons or "assumed_baselines" in reasons:
        return ("但悲观情景仍会亏损，且多数基准为假设：试点的作用在于以本行实际结果检验这些假设、在全面投入前控制下行风险。"
                if language == "zh" else
                "but the pessimistic case still loses money and most baselines are assumed: the pilot is there to test those assumptions "
                "against the bank's own results and to limit the downside before the full commitment.")
    return ("试点的价值在于降低实施风险，而非保留放弃的选择权。" if language == "zh" else
            "a pilot's value lies in lowering delivery risk, not in the option to stop.")


def _roadmap(diag, language: str) -> str:
    schedule = diag.schedule
    risk = diag.schedule_risk.summary(target_weeks=schedule.buffered_duration)
    pilot = schedule.tasks.loc[schedule.tasks["phase"] == "pilot", "es"]
    start = f"{float(pilot.min()):.0f}" if len(pilot) else "–"
    return (f"关键路径{schedule.duration:.1f}周，第{start}周开始试点；工期P90为{risk['p90']:.1f}周。" if language == "zh" else
            f"The critical path takes {schedule.duration:.1f} weeks with the pilot starting in week {start}; the P90 finish is week "
            f"{risk['p90']:.1f}.")


def _risk(diag, language: str) -> str:
    risks = diag.risks
    high = int((risks["level"] == "high").sum())
    carried = float(diag.contingency["carried"])
    confidence = diag.contingency["confidence"]
    medium = int((risks["level"] == "medium").sum())
    if language == "zh":
        count = f"{len(risks)}项风险中{high}项为高风险、{medium}项为中风险" if high else f"{len(risks)}项风险中无高风险项，{medium}项为中风险"
        return f"{count}；按风险登记册的{confidence}储备计提应急预算{money_m(carried, language)}。"
    count = f"{high} of {len(risks)} risks are high and {medium} medium" if high else f"None of the {len(risks)} risks is high ({medium} medium)"
    return f"{count}; the register's {confidence} reserve of {money_m(carried, language)} is carried as the programme's contingency."


def _kpi_tracking(diag, language: str) -> str:
    return ("项目按KPI跟踪表逐年考核：每项指标均有基线、年度目标、责任部门、数据来源与预警阈值。" if language == "zh" else
            "The programme is steered by a KPI scorecard: every metric has a baseline, yearly targets, an owner, a data source and an "
            "alert threshold.")


def _organisation(diag, language: str) -> str:
    return ("变革由指导委员会统筹、项目管理办公室推进，按“文化-制度-流程-能力”四位一体落地，并以分层培训提升新功能采纳率。"
            if language == "zh" else
            "A steering committee and a programme office carry the change through culture, rules, process and capability, with tiered "
            "training to lift adoption.")


def _data_protection(diag, language: str) -> str:

    checklist = diag.privacy_obligations()
    if checklist.empty:
        return ("所选举措不触发新增的数据合规要求。" if language == "zh" else
                "The selected initiatives trigger no new data-protection obligation.")
    return (f"所选举措触发{len(checklist)}项个人信息保护与数据治理要求，均须在相关举措上线前落实。" if language == "zh" else
            f"The selected initiatives trigger {len(checklist)} personal-information and data-governance obligations, each to be met "
            "before the initiative goes live.")


def _sustain(diag, language: str) -> str:
    from analysis_lib.report.sustain import action_title as sustain_title

    return sustain_title(diag, language)


def _customers(diag, language: str) -> str:
    if not diag.customers:
        return ""
    at_risk, scale = diag.customers.get("margin_at_risk"), diag.customers.get("scale", 1.0)
    if at_risk is None or not math.isfinite(float(at_risk) * float(scale)):
        return ""
    at_risk = float(at_risk) * float(scale)
    lever = diag.best_lever(RETENTION_METRICS)
    if language == "zh":
        keep = ("流失预警可保住其中一部分" if lever is None else f"项目中的“{lever.name_zh}”可保住其中一部分" if lever.in_programme else
                f"可保住其中一部分的“{lever.name_zh}”在本案中收益仅为其成本的{lever.ratio:.2f}倍（入选规则要求{SELECTION_HURDLE:g}倍），未纳入项目")
        return f"预计流失客户的年度利润贡献约{money_m(float(at_risk), language)}（按全行客户规模放大）；{keep}。"
    keep = ("early warning can keep part of it" if lever is None else f"the programme's {mid_sentence(lever.name_en)} can keep part of it"
            if lever.in_programme else f"the {mid_sentence(lever.name_en)}, which would keep part of it, returns only {lever.ratio:.2f}x its own cost here "
            f"(the rule needs {SELECTION_HURDLE:g}x) and is not in the programme")
    return (f"Customers predicted to leave carry about {money_m(float(at_risk), language)} of annual margin (grossed up to the whole "
            f"book); {keep}.")


RETENTION_METRICS = ("retention_hnw", "retention_mass", "customer_churn_book")
"""The metrics a churn early-warning and retention initiative moves."""



def _data_quality(diag, language: str) -> str:
    score = float(diag.quality["overall"])
    breaks = sorted(set(diag.consistency_breaks["rule"]))
    if breaks:
        return (f"数据质量得分{score:.0f}分，{len(breaks)}项一致性规则未通过，结论须待数据修正后确认。" if language == "zh" else
                f"Data quality scores {score:.0f} of 100 and {len(breaks)} consistency rules break: the findings wait on corrected "
                "inputs.")
    return (f"数据质量得分{score:.0f}分，所有一致性规则均通过，输入足以支撑结论。" if language == "zh" else
            f"Data quality scores {score:.0f} of 100 with every consistency rule met: the input can carry the findings.")


TITLES: dict[str, Callable] = {
    "scorecard": _scorecard, "positioning": _positioning, "frontier": _frontier, "expectations": _expectations, "gaps": _gaps,
    "value_chain": _value_chain, "initiatives": _initiatives, "technology": _technology, "business_case": _business_case, "option_value": _option_value,
    "roadmap": _roadmap, "risk": _risk, "kpi_tracking": _kpi_tracking, "organisation": _organisation,
    "data_protection": _data_protection, "sustain": _sustain, "customers": _customers, "data_quality": _data_quality,
}
"""One takeaway function per section (see :data:`NO_ACTION_TITLE` for the others)."""


def action_title(diag, key: str, language: str | None = None) -> str:
    """The section's one-sentence takeaway, or ``""`` when it has none.

    Parameters
    ----------
    diag : analysis_lib.report.diagnostic.Diagnostic
        The institution's results.
    key : str
        A section id of :data:`analysis_lib.report.rendering.SECTION_ORDER`.
    language : str, optional
        ``"en"`` or ``"zh"`` (default: the diagnostic's).

    Examples
    --------
    >>> from analysis_lib.report.diagnostic import run_diagnostic
    >>> d = run_diagnostic(institution_id="CITY-02", mc_draws=1000)
    >>> action_title(d, "gaps").startswith("Closing the gaps to target is worth about CNY")
    True
    >>> action_title(d, "methodology")
    ''
    """
    language = language or diag.language
    if key in NO_ACTION_TITLE or key not in TITLES:
        return ""
    text = TITLES[key](diag, language)
    return "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
