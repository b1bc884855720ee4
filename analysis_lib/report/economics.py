"""Report blocks of the programme's economics: the value-chain bridge, the
programme (selected and dropped initiatives, the selection rule), the TEI
cost lines, the workstreams, the plausibility warnings and the plain-words
methodology of the value chain. Each block is built from the
:class:`~analysis_lib.report.diagnostic.Diagnostic` and read by the section
renderers of :mod:`analysis_lib.report.rendering`; nothing is recomputed.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from analysis_lib.gaps.value_chain import RAMP_MONTHS, SELECTION_HURDLE, load_benefit_risk
from analysis_lib.reference.catalog import data_dir
from analysis_lib.report import charts
from analysis_lib.report.text import money_m, money_scale, percent, title, with_unit, word
from analysis_lib.roi.uncertainty import base_in_distribution
from analysis_lib.roi.uncertainty import driver_label as _driver_label


def _esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def _m(value: float) -> str:
    return f"{value / 1e6:,.1f}" if np.isfinite(value) else "–"


def _table(frame: pd.DataFrame, classes: str = "") -> str:
    from analysis_lib.report.rendering import table_html

    return table_html(frame, classes)


def _metric_label(metric_id: str, language: str) -> str:
    from analysis_lib.report.narrative import _metric

    return _metric(metric_id, language)


def _initiative_name(diag, initiative_id: str, language: str) -> str:
    return str(diag.initiatives.at[initiative_id, "name_zh" if language == "zh" else "name_en"])


BRIDGE_STEPS = ("value_at_stake", "not_addressable", "addressable", "not_captured", "initiative_benefit", "risk_haircut",
                "risk_adjusted_benefit")


def bridge_table(diag, language: str) -> pd.DataFrame:
    """The value chain's bridge with labels in the report's language (for the chart)."""
    bridge = diag.value_chain.bridge()
    keys = {"value_at_stake": "value_at_stake_short"}
    bridge["label"] = [word(keys.get(step, step), "en") for step in bridge["step"]]
    bridge["label_zh"] = [word(keys.get(step, step), "zh") for step in bridge["step"]]
    return bridge


def plausibility_block(diag, language: str, consistency: bool = False) -> str:
    """A visible warning listing the breached plausibility bounds and, with
    ``consistency``, the broken data-consistency rules (empty when none)."""
    warnings = diag.plausibility_warnings(language)
    rules = sorted(set(diag.consistency_breaks["rule"])) if consistency else []
    if rules:
        warnings = [*warnings, ("输入数据未通过一致性规则（见附录A）：" if language == "zh" else
                                "The inputs break consistency rules (appendix A): ") + ("、" if language == "zh" else ", ").join(
            rule_label(r, language) for r in rules)]
    if not warnings:
        return ""
    lead = ("合理性警示：以下数字超出说明理由的合理区间（见方法附录），请先核实输入数据再引用：" if language == "zh" else
            "Plausibility warning: these figures fall outside the workbook's plausibility bounds (Appendix B states each with its rationale); "
            "check the inputs before quoting them:")
    items = "".join(f"<li>{_esc(w)}</li>" for w in warnings)
    return f'<div class="plausibility-warning"><p><b>{_esc(lead)}</b></p><ul>{items}</ul></div>'


def value_chain_section(diag, language: str) -> str:
    """The bridge from value at stake to risk-adjusted benefit: chart, one row
    per lever, and the haircut per benefit type with its reason."""
    chain = diag.value_chain
    totals = chain.totals()
    revenue = float(diag.institution["revenue"])
    if language == "zh":
        intro = (f"价值链：价值空间每年{money_m(totals['value_at_stake'], language)}（全面达产，占营业收入"
                 f"{percent(totals['value_at_stake'] / revenue)}）→ CRM项目可影响部分{money_m(totals['addressable'], language)} → "
                 f"{'最佳候选举措可实现收益' if diag.sustains_lead else '入选举措可实现收益'}{money_m(totals['initiative_benefit'], language)}"
                 "（按优先顺序依次获取剩余差距，任何指标不超过100%）→ "
                 f"风险调整后收益{money_m(totals['risk_adjusted_benefit'], language)}（按收益类型折减）"
                 + ("，不足以支撑一个项目（见商业论证）。" if diag.sustains_lead else "。")
                 + "所有收益均为年度现金流量，从不将客户生命周期价值按年计入。")
    else:
        intro = (f"The value chain: the gaps are worth {money_m(totals['value_at_stake'], language)} a year at full run-rate "
                 f"({percent(totals['value_at_stake'] / revenue)} of revenue); {money_m(totals['addressable'], language)} of it is within "
                 f"a CRM programme's reach; {'the best candidate would capture' if diag.sustains_lead else 'the selected initiatives capture'} "
                 f"{money_m(totals['initiative_benefit'], language)} (in priority "
                 f"order, each taking its share of what is left, so no metric is captured beyond 100%); after a risk haircut per benefit "
                 f"line, {money_m(totals['risk_adjusted_benefit'], language)} a year "
                 + ("would remain, too little to pay for a programme (business case). " if diag.sustains_lead else "enters the business case. ")
                 + "Every line is an annual flow; a customer's lifetime value is never booked as a yearly benefit.")
    levers = chain.levers.sort_values("value_at_stake", ascending=False)
    risk = load_benefit_risk()
    label = "label_zh" if language == "zh" else "label_en"
    reasons = pd.read_csv(data_dir() / "addressable.csv").set_index("metric_id")["rationale_zh" if language == "zh" else "rationale"]
    addressable = pd.DataFrame({word("metric", language): [_metric_label(m, language) for m in levers.index],
                                word("addressable_share", language): [percent(v, 0) for v in levers["addressable_share"]],
                                word("note", language): [reasons.get(m, "") for m in levers.index]})
    haircuts = pd.DataFrame({word("benefit_type", language): risk[label], word("haircut", language): [percent(v, 0) for v in risk["haircut"]],
                             word("note", language): risk["rationale_zh" if language == "zh" else "rationale"]})
    bridge = bridge_table(diag, language)
    fig = charts.waterfall(bridge, language, title("value_chain", language) + ("（每年）" if language == "zh" else " (a year)"))
    from analysis_lib.report.rendering import chart_source, figure_html

    alt = "value chain bridge: " + "; ".join(f"{lbl} {_m(v)}" for lbl, v in zip(bridge["label"], bridge["amount"]))
    return (plausibility_block(diag, language) + f"<p>{_esc(intro)}</p>" + figure_html(fig, alt, chart_source(diag, "case", language))
            + _table(_stakes_table(levers, totals, risk, label, language), "value-chain")
            + _table(_benefits_table(levers, totals, language), "value-chain-benefit")
            + f"<h3>{_esc(word('addressable_reasons', language))}</h3>" + _table(addressable, "small")
            + f"<h3>{_esc(word('risk_haircuts', language))}</h3>" + _table(haircuts, "small"))


def _stakes_table(levers: pd.DataFrame, totals: dict, risk: pd.DataFrame, label: str, language: str) -> pd.DataFrame:
    """Per lever: value at stake (one money unit, by its total), addressable share and haircut."""
    scale = money_scale([totals["value_at_stake"]], language)
    money = with_unit(word("value_at_stake_short", language), scale.unit, language)
    shown = pd.DataFrame({
        word("metric", language): [_metric_label(m, language) for m in levers.index],
        word("benefit_type", language): [risk.at[t, label] for t in levers["benefit_type"]],
        money: scale.values(levers["value_at_stake"]),
        word("addressable_share", language): [percent(v, 0) for v in levers["addressable_share"]],
        word("haircut", language): [percent(v, 0) for v in levers["haircut"]],
    })
    total = {column: "" for column in shown.columns}
    total.update({word("metric", language): word("overall", language), money: scale.number(totals["value_at_stake"])})
    return pd.concat([shown, pd.DataFrame([total])], ignore_index=True)


def _benefits_table(levers: pd.DataFrame, totals: dict, language: str) -> pd.DataFrame:
    """Per lever with a benefit: addressable share captured, initiative and risk-adjusted benefit."""
    rows = levers[levers["captured"] > 0]
    scale = money_scale([totals["initiative_benefit"]], language)
    head = {k: with_unit(word(k, language), scale.unit, language) for k in ("initiative_benefit", "risk_adjusted_benefit")}
    shown = pd.DataFrame({
        word("metric", language): [_metric_label(m, language) for m in rows.index],
        word("captured_share", language): [percent(c / a, 0) for c, a in zip(rows["captured"], rows["addressable"])],
        head["initiative_benefit"]: scale.values(rows["captured"]),
        head["risk_adjusted_benefit"]: scale.values(rows["risk_adjusted"]),
    })
    total = {word("metric", language): word("overall", language), word("captured_share", language): "",
             head["initiative_benefit"]: scale.number(totals["initiative_benefit"]),
             head["risk_adjusted_benefit"]: scale.number(totals["risk_adjusted_benefit"])}
    return pd.concat([shown, pd.DataFrame([total])], ignore_index=True)


def programme_block(diag, language: str) -> str:
    """The selection rule, the programme's initiatives and the dropped ones with the reason."""
    chain = diag.value_chain
    rule = (f"入选规则：按优先顺序逐项评估，若某举措在{chain.horizon_years}年内风险调整后收益的现值不低于其自身成本（一次性投入与运营成本）现值的"
            f"{SELECTION_HURDLE:g}倍（余量覆盖项目团队和应急预算等共享成本），则纳入项目；否则列为未入选并说明原因。" if language == "zh" else
            f"Selection rule: initiatives are taken in priority order; one joins the programme when the present value of its risk-adjusted "
            f"benefit over {chain.horizon_years} years is at least {SELECTION_HURDLE:g} times the present value of its own one-off and "
            "running cost (the margin covers shared costs: programme team and contingency). The others are dropped, with the reason.")
    if diag.sustains_lead:
        rule += ("没有举措满足入选规则，因此不组建项目、不作投资论证；收益/成本比最高的举措仅列作参考。" if language == "zh" else
                 " No initiative clears the rule, so no programme is formed and no investment case is made; the best candidate is "
                 "listed for reference only.")
    elif not diag.rule_selected:
        rule += ("没有举措满足入选规则：下表的商业论证仅为参考（收益/成本比最高的举措），不建议投资。" if language == "zh" else
                 " No initiative clears the rule: the business case shows the best candidate for reference only and is not recommended.")
    selection = chain.selection
    shown = pd.DataFrame({
        word("initiative", language): [_initiative_name(diag, i, language) for i in selection.index],
        word("in_programme", language): [word("reference_only" if str(r).startswith("shown for reference") else "yes" if s else "no", language)
                                         for s, r in zip(selection["selected"], selection["reason"])],
        word("benefit_cost_ratio_short", language): [f"{r:.2f}" if np.isfinite(r) else "–" for r in selection["ratio"]],
        word("reason", language): [_reason(r, language) for r in selection["reason"]],
    })
    heading = word("selection" if diag.sustains_lead else "programme", language)
    return (f'<div class="keep-together"><h3>{_esc(heading)}</h3><p>{_esc(rule)}</p>'
            + _table(shown, "programme") + "</div>")


def _reason(reason: str, language: str) -> str:
    if language != "zh":
        return reason
    import re

    numbers = re.findall(r"\d+\.\d+", reason)
    if reason.startswith("selected"):
        return f"入选：收益为自身成本的{numbers[0]}倍（期内现值）"
    if reason.startswith("shown for reference"):
        return f"仅作参考：收益为自身成本的{numbers[0]}倍，低于规则要求的{SELECTION_HURDLE:g}倍"
    if reason.startswith("no gap"):
        return "其可改善的指标已无剩余差距"
    return f"未入选：收益仅为自身成本的{numbers[0]}倍（规则要求{SELECTION_HURDLE:g}倍）"


def not_recommended_block(diag, language: str) -> str:
    """A notice above a business case that is not recommended (no initiative
    clears the rule, or the selected ones do not carry the shared costs)."""
    if diag.recommended:
        return ""
    if not diag.rule_selected:
        text = ("没有举措满足入选规则：以下商业论证仅为参考（收益/成本比最高的举措），不建议投资。" if language == "zh" else
                "No initiative clears the selection rule: the business case below is the best candidate's, shown for reference only; "
                "it is not recommended.")
    else:
        text = ("满足入选规则的举措不足以覆盖共享成本（项目团队与应急预算），净现值不为正：按当前范围不建议实施。" if language == "zh" else
                "The initiatives that clear the selection rule do not carry the shared costs (programme team and contingency): the "
                "NPV is not positive and the programme is not recommended as scoped.")
    return f'<div class="plausibility-warning"><p><b>{_esc(text)}</b></p></div>'


def benefit_lines_block(diag, language: str) -> str:
    """Benefit lines of the business case: one per programme initiative."""
    chain = diag.value_chain
    per = chain.by_initiative()
    flows = chain.benefit_flows()
    horizon = pd.Series(flows.sum(axis=1), index=chain.lines.index).groupby(chain.lines["initiative_id"]).sum() if len(flows) else per["captured"] * 0
    months = diag.initiatives["time_to_value_months"]
    scale = money_scale(np.r_[per["captured"].sum(), float(horizon.sum())], language)
    head = {k: with_unit(word(k, language), scale.unit, language) for k in ("initiative_benefit", "risk_adjusted_benefit",
                                                                          "benefit_over_horizon")}
    shown = pd.DataFrame({
        word("initiative", language): [_initiative_name(diag, i, language) for i in per.index],
        word("months", language): [int(months[i]) for i in per.index],
        head["initiative_benefit"]: scale.values(per["captured"]),
        head["risk_adjusted_benefit"]: scale.values(per["risk_adjusted"]),
        head["benefit_over_horizon"]: [scale.number(horizon.get(i, 0.0)) for i in per.index],
    })
    total = {word("initiative", language): word("overall", language), word("months", language): "",
             head["initiative_benefit"]: scale.number(per["captured"].sum()), head["risk_adjusted_benefit"]: scale.number(per["risk_adjusted"].sum()),
             head["benefit_over_horizon"]: scale.number(float(horizon.sum()))}
    shown = pd.concat([shown, pd.DataFrame([total])], ignore_index=True)
    retention = bool(diag.value_chain.lines["benefit_type"].eq("retention").any())
    note = (f"收益自各举措见效月份起，在{RAMP_MONTHS}个月内线性爬坡至全面达产" + ("；留存收益按客户群组累积，并按留存率逐年衰减。" if retention else "。")
            if language == "zh" else
            f"Each line starts at the initiative's months to value and ramps linearly to full run-rate over {RAMP_MONTHS} months"
            + ("; retention lines accumulate cohorts of extra customers kept, which then decay by the retention rate." if retention else "."))
    return (f"<h3>{_esc(word('benefit_lines', language))}</h3>" + _table(shown, "benefit-lines") + f"<p>{_esc(note)}"
            f"{_esc(_cohort_note(diag, flows, language))}</p>")


def _cohort_note(diag, flows: np.ndarray, language: str) -> str:
    """Why a retention line's horizon total exceeds its yearly amount times
    the years: the yearly amount is one year's cohort, and cohorts add up."""
    chain = diag.value_chain
    retention = chain.lines["benefit_type"].eq("retention").to_numpy() if len(flows) else np.array([], dtype=bool)
    if not retention.any():
        return ""
    first = float(chain.lines.loc[retention, "risk_adjusted"].sum())
    last = float(flows[retention, -1].sum())
    years = flows.shape[1]
    if language == "zh":
        return (f"留存类收益的年度金额为一年新增留存客户群组的年度利润（{money_m(first, language)}）；各年群组叠加，"
                f"第{years}年该项收益达每年{money_m(last, language)}，因此期间合计高于年度金额乘以年数。")
    return (f" A retention line's yearly figure is the annual margin of one year's cohort of extra customers kept "
            f"({money_m(first, language)}); the cohorts add up, so by year {years} the line brings {money_m(last, language)} a year and "
            "its horizon total exceeds the yearly figure times the years.")


def cost_lines_block(diag, language: str) -> str:
    """TEI cost lines, the contingency (the risk register's reserve) and the total."""
    costs = diag.programme_costs
    label = "label_zh" if language == "zh" else "label_en"
    carried = float(diag.contingency["carried"])
    scale = money_scale([float(costs["amount"].sum()) + carried], language)
    rows = [(c[label], word(c["phase"], language), scale.number(c["amount"])) for _, c in costs.iterrows()]
    rows.append((word("contingency_reserve", language).format(confidence=diag.contingency["confidence"]), word("build", language),
                 scale.number(carried)))
    rows.append((word("overall", language), "", scale.number(float(costs["amount"].sum()) + carried)))
    shown = pd.DataFrame(rows, columns=[word("cost_line", language), word("phase", language), word("amount", language, unit=scale.unit)])
    build = float(costs.loc[costs["phase"] == "build", "amount"].sum()) + carried
    total = float(costs["amount"].sum()) + carried
    note = (f"建设与运营占比为{percent(build / total, 0)}/{percent(1 - build / total, 0)}（方法模板经验值28/72或25/75，包括现有系统运维；"
            f"本表仅含新增成本）。应急预算即风险登记册蒙特卡洛的{diag.contingency['confidence']}储备，与风险页为同一数字。" if language == "zh" else
            f"Build/run split {percent(build / total, 0)}/{percent(1 - build / total, 0)} (the methodology template's 28/72 or 25/75 "
            "rule of thumb includes running today's systems; this table holds only the programme's additional cost). The contingency is "
            f"the {diag.contingency['confidence']} reserve of the risk register's Monte Carlo, the same number as on the risk page.")
    return f"<h3>{_esc(word('cost_lines', language))}</h3>" + _table(shown, "cost-lines") + f"<p>{_esc(note)}</p>"


TORNADO_ROWS = 10


def driver_label(driver: str, language: str) -> str:
    """A Monte Carlo driver's label (levers by their metric)."""
    return _driver_label(driver, language, _metric_label)


def tornado_rows(diag) -> pd.DataFrame:
    """The widest :data:`TORNADO_ROWS` bars of the tornado."""
    rows = diag.tornado.head(TORNADO_ROWS).copy()
    rows.attrs = dict(diag.tornado.attrs)
    return rows


def base_and_median(diag, language: str) -> str:
    """The base-case NPV beside the simulated median (P50) and P10–P90, and
    in one clause why the base sits above (or below) the median."""
    base = diag.case.npv
    p10, p50, p90 = (float(np.percentile(diag.simulation.npv, q)) for q in (10, 50, 90))
    rank = base_in_distribution(diag.simulation.npv, base)
    why = word("base_above_median" if base >= p50 else "base_below_median", language)
    if language == "zh":
        side = "高于" if base >= p50 else "低于"
        return (f"基准情景净现值{money_m(base, language)}，模拟中位数（P50）{money_m(p50, language)}，P10–P90为{money_m(p10, language)}至"
                f"{money_m(p90, language)}；基准位于模拟分布的第{rank:.0f}百分位，{side}中位数，原因是{why}。")
    side = "above" if base >= p50 else "below"
    return (f"Base-case NPV {money_m(base, language)}, simulated median (P50) {money_m(p50, language)}, P10–P90 {money_m(p10, language)} "
            f"to {money_m(p90, language)}; the base sits {side} the median, at the {ordinal(rank)} percentile, because {why}.")


def median_sentence(diag, language: str) -> str:
    """What the Monte Carlo varies and why the base case and the median differ."""
    if language == "zh":
        return ("模拟同时改变各项收益、基准（同业目标分位数的抽样波动）、采纳率、延期月数、成本超支与折现率，并考虑其相关性；"
                "收益与采纳率以风险调整后的估计为中位数（风险折减已扣除预期的收益短缺）。" + base_and_median(diag, language))
    return ("The simulation varies each lever's benefit, the baseline (resampling the peer quantiles used as targets), adoption, delay "
            "in months, cost overrun and the discount rate, correlated where they move together; benefits and adoption are centred on "
            "the risk-adjusted estimate (the risk haircut already takes off the expected shortfall). " + base_and_median(diag, language))


def ordinal(value: float) -> str:
    """An English ordinal of a rounded number.

    Examples
    --------
    >>> [ordinal(v) for v in (1, 2, 3, 11, 12, 13, 21, 81.4, 102)]
    ['1st', '2nd', '3rd', '11th', '12th', '13th', '21st', '81st', '102nd']
    """
    n = int(round(value))
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def workstreams_block(diag, language: str) -> str:
    """The programme's initiatives as roadmap workstreams: the task that
    delivers each, whether it is on the critical path, months to value."""
    tasks = diag.schedule.tasks
    name = "name_zh" if language == "zh" else "name_en"
    rows = []
    for initiative_id in diag.programme:
        task_id = str(diag.initiatives.at[initiative_id, "roadmap_task"])
        task = tasks.loc[task_id] if task_id in tasks.index else None
        critical = bool(task is not None and task.get("critical", False))
        rows.append((_initiative_name(diag, initiative_id, language), f"{task_id} {task[name]}" if task is not None else task_id,
                     word("yes" if critical else "no", language), int(diag.initiatives.at[initiative_id, "time_to_value_months"])))
    shown = pd.DataFrame(rows, columns=[word("initiative", language), word("task", language), word("critical", language),
                                        word("months", language)])
    return f"<h3>{_esc(word('workstreams', language))}</h3>" + _table(shown, "workstreams") + resource_plan_block(diag, language)


def resource_plan_block(diag, language: str) -> str:
    """The resource plan by role (FTE-weeks and cost over all phases); its
    total is the business case's internal-labour line."""
    from analysis_lib.plan.resources import load_day_rates, quarterly_fte

    rates = load_day_rates()
    by_role = diag.resources.groupby("role", sort=False)[["fte_weeks", "cost"]].sum()
    label = "label_zh" if language == "zh" else "label_en"
    scale = money_scale([float(by_role["cost"].sum())], language)
    amount = word("amount", language, unit=scale.unit)
    external = by_role["fte_weeks"] * rates["external_share"].reindex(by_role.index).fillna(0.0)
    shown = pd.DataFrame({
        word("role", language): [rates.at[r, label] if r in rates.index else r for r in by_role.index],
        word("fte_weeks", language): [f"{v:,.0f}" for v in by_role["fte_weeks"]],
        amount: scale.values(by_role["cost"]),
        word("internal_fte_weeks", language): [f"{v:,.0f}" for v in by_role["fte_weeks"] - external],
        word("external_fte_weeks", language): [f"{v:,.0f}" for v in external],
    })
    total = {word("role", language): word("overall", language), word("fte_weeks", language): f"{by_role['fte_weeks'].sum():,.0f}",
             amount: scale.number(float(by_role["cost"].sum())),
             word("internal_fte_weeks", language): f"{(by_role['fte_weeks'] - external).sum():,.0f}",
             word("external_fte_weeks", language): f"{external.sum():,.0f}"}
    shown = pd.concat([shown, pd.DataFrame([total])], ignore_index=True)
    quarters = quarterly_fte(diag.resources, diag.schedule)
    by_quarter = pd.DataFrame({word("role", language): [rates.at[r, label] if r in rates.index else r for r in quarters.index],
                               **{word("quarter_fte", language, n=q): [f"{v:,.1f}" for v in quarters[q]] for q in quarters.columns}})
    return (f"<h3>{_esc(word('resource_plan', language))}</h3>" + _table(shown, "resource-plan")
            + f"<h3>{_esc(word('resource_quarters', language))}</h3>" + _table(by_quarter, "resource-quarters small"))


def methodology_block(diag, language: str) -> str:
    """The value chain in plain words, with its formulas."""
    if language == "zh":
        items = [
            "价值空间：每项指标与目标的差距，按价值驱动公式折算为每年金额（全面达产）；衡量同一笔钱的指标（如CRM成本率与单客户TCO）只计一次。",
            "可影响部分：价值空间 × CRM项目可影响的比例（逐项说明理由，见“从价值空间到收益”一节）。",
            "举措收益：入选举措按优先顺序依次获取剩余可影响价值的中位影响比例，任何指标累计不超过100%；自见效月份起12个月线性爬坡。",
            "风险调整后收益：举措收益 × (1 − 折减率)，折减率按收益类型参照总体经济影响法：成本节约10%，收入与留存25%，人员效率40%。",
            "留存收益 = 多留住的客户数 × 年度利润贡献；每年多留住的客户形成一个群组，按留存率逐年衰减，收益为仍在册客户的年度利润，"
            "从不将生命周期价值按年计入。",
            "成本（总体经济影响法口径）：软件许可、实施服务商、基础设施、培训与变革（一次性投入按比例拆分），项目团队（资源计划），"
            "运营成本，以及应急预算 = 风险登记册的P80储备。",
            "合理性检验：价值空间与收益占营业收入和营运成本的比例、每客户收益、内部收益率上限与投资回收期下限；超出者在报告和批量摘要中警示。",
        ]
    else:
        items = [
            "Value at stake: the gap of each metric to its target, turned into CNY a year at full run-rate by the formula in "
            "the workbook's value-driver table; metrics that measure the same money (CRM cost ratio, TCO per customer) count once.",
            "Addressable: value at stake × the share a CRM programme can move (the workbook's addressable-share table, one reason per lever).",
            "Initiative benefit: the selected initiatives, in priority order, each take their mid impact share of what is left of each "
            "addressable value, so no metric is captured beyond 100%; each ramps linearly over 12 months from its months to value.",
            "Risk-adjusted benefit: initiative benefit × (1 − haircut), the haircut by benefit type (the workbook's benefit-risk table, Forrester TEI "
            "practice): cost savings 10%, revenue and retention 25%, productivity 40%.",
            "Retention benefit = extra customers kept × their annual margin. Each year's extra customers form a cohort that decays by the "
            "retention rate; the benefit of a year is the annual margin of those still on the book. A lifetime value is never booked as a "
            "yearly benefit.",
            "Costs (TEI shape): licences, implementation partner, infrastructure, training and change (the one-off cost split by stated "
            "shares), the programme team (the resource plan), running cost, and a contingency equal to the risk register's P80 reserve.",
            "Plausibility: value at stake and benefit as shares of revenue and of the cost base, benefit per customer, an IRR ceiling and a "
            "payback floor; an institution outside a bound carries a warning in the report and the batch summary.",
        ]
    lis = "".join(f"<li>{_esc(i)}</li>" for i in items)
    return f"<h3>{_esc(title('value_chain', language))}</h3><ol class=\"method-chain\">{lis}</ol>"



RULE_LABELS_ZH = {
    "cost_to_income_ge_crm_opex_ratio": "成本收入比不低于CRM运营成本占营收比",
    "acq_cost_hnw_ge_acq_cost_mass": "高净值客户获客成本不低于大众客户",
    "customers_ge_employees": "客户数不少于员工数",
    "customers_ge_customers_per_rm": "人均管户数不超过客户总数",
    "customers_ge_hnw_customers": "高净值客户是全部客户的一部分",
    "customer_records_ge_customers": "每位客户至少有一条主数据记录",
    "implied_rms_within_employees": "隐含客户经理人数不超过员工总数",
    "crm_cost_matches_tco": "CRM成本与单客户TCO × 客户数相符（误差15%以内）",
    "acquisition_spend_within_crm_cost": "获客支出不超过CRM成本",
}
RULE_EXPECTED_ZH = {
    "implied_rms_within_employees": "客户数 ÷ 人均管户数 ≤ 员工数：客户经理是员工的一部分",
    "crm_cost_matches_tco": "CRM运营成本占营收比 × 营业收入，与单客户TCO × 客户数相差不超过15%：两者衡量同一笔钱",
    "acquisition_spend_within_crm_cost": "获客成本 × 新增客户数 ≤ CRM成本：获客支出属于在CRM上运行的营销与销售成本",
}
"""Chinese names and expectations of the consistency rules (the rules themselves live in :mod:`analysis_lib.intake.quality`)."""


def rule_label(rule_id: str, language: str) -> str:
    """A consistency rule's name in the report's language."""
    return RULE_LABELS_ZH.get(rule_id, rule_id) if language == "zh" else rule_id


def extract_notes_zh(notes) -> str:
    """The customer extract's intake notes (tenure unit, currency) in Chinese.

    Examples
    --------
    >>> extract_notes_zh(["tenure read in months (declared) and converted to years", "amounts in CNY"])
    '在网时长按月读取并换算为年；金额单位为元'
    >>> extract_notes_zh(["tenure from the open and close dates (censored at the observation date)",
    ...                   "amounts converted from EUR at 7.8 CNY per EUR"])
    '在网时长按开户与销户日期计算（未流失客户在观察日截尾）；金额按每单位7.8元换算为人民币'
    """
    units = {"months": "月", "days": "天", "years": "年"}
    out = []
    for note in notes:
        if note.startswith("tenure read in "):
            unit = note.split()[3]
            out.append(f"在网时长按{units[unit]}读取" + ("" if unit == "years" else "并换算为年"))
        elif note.startswith("tenure from the open and close dates"):
            out.append("在网时长按开户与销户日期计算（未流失客户在观察日截尾）")
        elif note.startswith("amounts converted"):
            rate = note.split(" at ", 1)[1].split(" ", 1)[0]
            out.append(f"金额按每单位{rate}元换算为人民币")
        else:
            out.append("金额单位为元")
    return "；".join(out)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def consistency_block(diag, language: str) -> str:
    """The named consistency rules this institution breaks, with the values
    on both sides (empty when it breaks none)."""
    breaks = diag.consistency_breaks
    if breaks.empty:
        return ""
    shown = pd.DataFrame({
        word("rule", language): [rule_label(r, language) for r in breaks["rule"]], word("value", language): [_number(v) for v in breaks["left"]],
        word("compared_with", language): [_number(v) for v in breaks["right"]],
        word("expected", language): [RULE_EXPECTED_ZH.get(r, "") for r in breaks["rule"]] if language == "zh" else breaks["expected"],
    })
    lead = ("以下一致性规则未通过（一致性得分因此低于100）：" if language == "zh" else
            "Consistency rules broken (so the consistency score is below 100):")
    return f"<p>{_esc(lead)}</p>" + _table(shown, "small consistency")
