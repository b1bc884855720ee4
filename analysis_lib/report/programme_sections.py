"""Report sections on how the programme is delivered and run: technology and
vendor selection (weighted matrix, weight sensitivity, build or buy with
each option's cost of ownership), the KPI tracking scorecard, organisation
and change management, and the data governance and privacy checklist. Each is specific to the institution (its gaps, its size, the
initiatives selected for it) and opens with a sentence that says what it
found.
"""

from __future__ import annotations

import pandas as pd

from analysis_lib.gaps.selection import load_criteria, load_options, score_options, weight_sensitivity
from analysis_lib.plan.change import adoption_targets, load_change_actions, training_plan
from analysis_lib.plan.scorecard import PROGRAMME_YEARS
from analysis_lib.reference.catalog import load_catalog
from analysis_lib.report.rendering import _p, _section, table_html
from analysis_lib.report.text import dimension_label, format_value, mid_sentence, money_m, money_scale, percent, word
from analysis_lib.roi.programme import run_years
from analysis_lib.roi.sourcing import COST_LINES, sourcing_tco

FREQUENCY_LABELS = {"monthly": {"en": "monthly", "zh": "月度"}, "quarterly": {"en": "quarterly", "zh": "季度"}}
PILLAR_LABELS = {"culture": {"en": "Culture", "zh": "文化"}, "institution": {"en": "Rules", "zh": "制度"},
                 "process": {"en": "Process", "zh": "流程"}, "capability": {"en": "Capability", "zh": "能力"}}
PHASE_LABELS = {"assessment": {"en": "Assessment", "zh": "现状评估"}, "design": {"en": "Design", "zh": "方案设计"},
                "build": {"en": "Build", "zh": "开发集成"}, "pilot": {"en": "Pilot", "zh": "试点"}, "rollout": {"en": "Roll-out", "zh": "推广"}}
HEADERS = {
    "kpi": {"en": "KPI", "zh": "指标"}, "dimension": {"en": "Dimension", "zh": "维度"}, "baseline": {"en": "Baseline", "zh": "基线值"},
    "year": {"en": "Year {n} target", "zh": "第{n}年目标"}, "red": {"en": "Red if worse than (year 1)", "zh": "红灯阈值（第1年）"},
    "owner": {"en": "Owner", "zh": "责任部门"}, "source": {"en": "Data source", "zh": "数据来源"}, "frequency": {"en": "Frequency", "zh": "频率"},
    "pillar": {"en": "Pillar", "zh": "维度"}, "action": {"en": "Action", "zh": "举措"}, "phase": {"en": "Phase", "zh": "阶段"},
    "audience": {"en": "Audience", "zh": "培训对象"}, "content": {"en": "Content", "zh": "培训内容"},
    "headcount": {"en": "People", "zh": "人数（人）"}, "hours_pp": {"en": "Hours per person", "zh": "人均学时（小时）"},
    "hours": {"en": "Total hours", "zh": "总学时（小时）"}, "quarter": {"en": "Quarter after go-live", "zh": "上线后季度"},
    "adoption": {"en": "New-feature adoption target", "zh": "新功能采纳率目标"},
    "regulation": {"en": "Law or rule", "zh": "法规依据"}, "obligation": {"en": "Obligation", "zh": "合规要求"},
    "triggered": {"en": "Triggered by", "zh": "涉及举措"},
    "option": {"en": "Option", "zh": "方案"}, "score": {"en": "Weighted score (1-5)", "zh": "加权得分（1-5分）"},
    "rank": {"en": "Rank", "zh": "排名"},
    "one_off": {"en": "One-off cost", "zh": "一次性投入"}, "running": {"en": "Running cost a year", "zh": "年运营成本"},
    "tco": {"en": "Cost over {n} years", "zh": "{n}年总成本"}, "tco_pv": {"en": "Present value", "zh": "现值"},
}


def _h(key: str, language: str, **fields) -> str:
    return HEADERS[key][language].format(**fields)


def selected_initiative_ids(diag) -> list[str]:
    """Ids of the initiatives in the institution's programme (the value
    chain's selection: the same initiatives as the business case)."""
    return [str(i) for i in diag.programme]


def kpi_tracking(diag, language: str) -> str:
    """The scorecard the programme office steers by, with yearly targets."""
    card = diag.kpi_card()
    catalog = load_catalog().table
    moving = card[card[f"target_year_{PROGRAMME_YEARS}"] != card["baseline"]]
    shown = moving if len(moving) else card

    def fmt(metric: str, value: float) -> str:
        return format_value(value, catalog.at[metric, "unit"], int(catalog.at[metric, "decimals"]))

    table = pd.DataFrame({
        _h("kpi", language): [catalog.at[m, f"label_{language}"] for m in shown["metric_id"]],
        _h("dimension", language): [dimension_label(d, language) for d in shown["dimension"]],
        word("unit", language): [load_catalog().unit_label(m, language) for m in shown["metric_id"]],
        _h("baseline", language): [fmt(m, v) for m, v in zip(shown["metric_id"], shown["baseline"])],
        **{_h("year", language, n=y): [fmt(m, v) for m, v in zip(shown["metric_id"], shown[f"target_year_{y}"])]
           for y in range(1, PROGRAMME_YEARS + 1)},
        _h("owner", language): shown[f"owner_{language}"],
        _h("source", language): shown[f"data_source_{language}"],
        _h("frequency", language): [FREQUENCY_LABELS[f][language] for f in shown["frequency"]],
    })
    monthly = int((shown["frequency"] == "monthly").sum())
    if moving.empty:
        lead = (f"未建议实施升级项目：{len(shown)}项指标作为监测清单保持基线水平，其中{monthly}项按月监测；读数差于基线即亮红灯。"
                if language == "zh" else
                f"No programme is recommended: the {len(shown)} KPIs are a watch-list held at their baselines, {monthly} of them measured "
                "monthly; a reading worse than the baseline is red.")
    elif language == "zh":
        lead = (f"{len(shown)}项指标设定了逐年目标，{PROGRAMME_YEARS}年内达到差距分析的目标值，其中{monthly}项按月监测。"
                "读数落后于当年目标时亮黄灯，落后于上一年目标（第1年为差于基线）时亮红灯。")
    else:
        lead = (f"{len(shown)} KPIs get yearly targets that reach the gap analysis's targets in {PROGRAMME_YEARS} years; {monthly} are "
                "measured monthly. A reading behind the year's target is amber; one behind the previous year's target (in year 1, "
                "worse than the baseline) is red.")
    return _section("kpi_tracking", language, _p(lead) + table_html(table, "compact long"))


def organisation(diag, language: str) -> str:
    """Governance, the four-part change model, training and adoption targets."""
    actions = load_change_actions()
    training = training_plan(diag.institution)
    card = diag.kpi_card().set_index("metric_id")
    yearly = [float(card.at["feature_adoption", column]) for column in
              ["baseline", *[f"target_year_{y}" for y in range(1, PROGRAMME_YEARS + 1)]]] if "feature_adoption" in card.index else []
    adoption_now, adoption_target = (yearly[0], yearly[-1]) if yearly else (float("nan"), float("nan"))
    people, hours = int(training["headcount"].sum()), float(training["hours"].sum())
    flat = not yearly or adoption_target == adoption_now
    if flat:
        lead = (f"项目由行领导任发起人的指导委员会统筹、项目管理办公室日常推进；按“文化-制度-流程-能力”四位一体推进变革，分层培训约{people:,}人、"
                f"共{hours:,.0f}学时；新功能采纳率保持在{percent(adoption_now, 1)}（无项目目标）。" if language == "zh" else
                f"A steering committee chaired by the executive sponsor governs the programme and a programme office runs it day to day. "
                f"Change follows the four-part model (culture, rules, process, capability); tiered training reaches about {people:,} "
                f"people in {hours:,.0f} hours; new-feature adoption is held at {percent(adoption_now, 1)} (no programme target).")
    elif language == "zh":
        lead = (f"项目由行领导任发起人的指导委员会统筹、项目管理办公室日常推进；按“文化-制度-流程-能力”四位一体推进变革，"
                f"分层培训约{people:,}人、共{hours:,.0f}学时，新功能采纳率按KPI评分卡路径逐季由{percent(adoption_now, 1)}"
                f"提升至第{PROGRAMME_YEARS}年末的{percent(adoption_target, 1)}。")
    else:
        lead = (f"A steering committee chaired by the executive sponsor governs the programme and a programme office runs it day to day. "
                f"Change follows the four-part model (culture, rules, process, capability); tiered training reaches about {people:,} "
                f"people in {hours:,.0f} hours, and new-feature adoption rises quarter by quarter from {percent(adoption_now, 1)} to "
                f"{percent(adoption_target, 1)} by the end of year {PROGRAMME_YEARS}, on the KPI scorecard's path.")
    change = pd.DataFrame({
        _h("pillar", language): [PILLAR_LABELS[p][language] for p in actions["pillar"]],
        _h("action", language): actions[f"action_{language}"],
        _h("owner", language): actions[f"owner_{language}"],
        _h("phase", language): [PHASE_LABELS[p][language] for p in actions["phase"]],
    })
    train = pd.DataFrame({
        _h("audience", language): training[f"audience_{language}"],
        _h("content", language): training[f"content_{language}"],
        _h("headcount", language): [f"{v:,}" for v in training["headcount"]],
        _h("hours_pp", language): [f"{v:,.0f}" for v in training["hours_per_person"]],
        _h("hours", language): [f"{v:,.0f}" for v in training["hours"]],
    })
    tables = table_html(change) + table_html(train, "compact")
    if yearly and not flat:
        path = adoption_targets(yearly)
        row = pd.DataFrame([[_h("adoption", language), *[percent(v, 1) for v in path["target"]]]],
                           columns=[_h("quarter", language), *[str(q) for q in path["quarter"]]])
        tables += table_html(row, "compact small adoption")
    return _section("organisation", language, _p(lead) + tables)


def data_protection(diag, language: str) -> str:
    """The obligations the selected initiatives trigger."""
    checklist = diag.privacy_obligations()
    names = diag.initiatives[f"name_{language}"]
    if checklist.empty:
        return _section("data_protection", language, _p("所选举措不涉及新增的数据合规要求。" if language == "zh" else
                                                           "The selected initiatives trigger no new data-protection obligation."))
    sensitive = checklist["obligation_id"].isin(["PI-2", "PI-3", "PI-4"]).sum()
    if language == "zh":
        lead = (f"所选举措触发{len(checklist)}项数据治理与个人信息保护要求，其中{sensitive}项涉及敏感个人信息、自动化决策或影响评估，"
                "须在相关举措上线前落实并由项目管理办公室逐项跟踪。")
    else:
        lead = (f"The selected initiatives trigger {len(checklist)} data-governance and personal-information obligations, {sensitive} of them "
                "on sensitive data, automated decisions or impact assessments; each must be met before the initiative goes live and is "
                "tracked by the programme office.")
    table = pd.DataFrame({
        _h("regulation", language): checklist[f"regulation_{language}"],
        _h("obligation", language): checklist[f"obligation_{language}"],
        _h("triggered", language): ["、".join(names.get(i, i) for i in ids) if language == "zh" else "; ".join(names.get(i, i) for i in ids)
                                    for ids in checklist["triggered_by"]],
        _h("owner", language): checklist[f"owner_{language}"],
    })
    return _section("data_protection", language, _p(lead) + table_html(table))


def _option_label(options: pd.DataFrame, option: str, language: str) -> str:
    return str(options.at[option, "label_zh"]) if language == "zh" and "label_zh" in options.columns else option


def technology(diag, language: str) -> str:
    """Vendor matrix with weight sensitivity, and build or buy on cost of ownership."""
    options, criteria = load_options(), load_criteria()
    weights = criteria["weight"]
    scored = score_options(options, weights)
    leader = str(scored.index[0])
    sensitivity = weight_sensitivity(options, weights)
    matrix = pd.DataFrame({
        _h("option", language): [_option_label(options, o, language) for o in scored.index],
        **{(f"{criteria.at[c, 'label_zh']}，权重{weights[c]:.0%}" if language == "zh" else
            f"{criteria.at[c, 'label_en']}, weight {weights[c]:.0%}"): options.loc[scored.index, c].astype(int) for c in weights.index},
        _h("score", language): [f"{v:.2f}" for v in scored["score"]],
        _h("rank", language): scored["rank"].astype(int),
    })
    horizon = int(diag.params["horizon_years"])
    years = run_years(horizon)
    costs = diag.sourcing_costs().loc[scored.index]
    scale = money_scale(costs[["one_off", "tco"]].to_numpy(), language)
    tco = pd.DataFrame({
        _h("option", language): [_option_label(options, o, language) for o in costs.index],
        f"{_h('one_off', language)} ({scale.unit})" if language == "en" else f"{_h('one_off', language)}（{scale.unit}）":
            scale.values(costs["one_off"]),
        f"{_h('running', language)} ({scale.unit})" if language == "en" else f"{_h('running', language)}（{scale.unit}）":
            scale.values(costs["running_a_year"]),
        (f"{_h('tco', language, n=horizon)} ({scale.unit})" if language == "en" else f"{_h('tco', language, n=horizon)}（{scale.unit}）"):
            scale.values(costs["tco"]),
        f"{_h('tco_pv', language)} ({scale.unit})" if language == "en" else f"{_h('tco_pv', language)}（{scale.unit}）":
            scale.values(costs["tco_pv"]),
    })
    cheapest = str(costs["tco_pv"].idxmin())
    flips = sensitivity.dropna(subset=["change_to_flip"])
    as_costed = sourcing_tco(diag.programme_costs, years, float(diag.params["discount_rate"]),
                             pd.DataFrame({line: [1.0] for line in COST_LINES}, index=["bottom_up"])).iloc[0]
    return _section("technology", language, _p(_technology_lead(options, scored, flips, costs, leader, cheapest, horizon, language))
                    + table_html(matrix, "compact") + table_html(tco, "compact")
                    + _p(_costed_as(_option_label(options, leader, language), float(costs.at[leader, "tco"]), float(as_costed["tco"]),
                                    horizon, language))
                    + _p(_sourcing_note(language)))


def _costed_as(leader: str, leader_tco: float, costed_tco: float, horizon: int, language: str) -> str:
    """How the business case's cost relates to the option the matrix favours."""
    change = leader_tco / costed_tco - 1 if costed_tco else 0.0
    if language == "zh":
        return (f"商业论证按本项目自下而上的成本项测算（{horizon}年合计{money_m(costed_tco, language)}，不含应急预算），未绑定任一方案；"
                f"若选定“{leader}”，总成本{'增加' if change >= 0 else '减少'}{percent(abs(change), 0)}，须在供应商应答后按签约方案重新测算。")
    return (f"The business case is costed on this programme's bottom-up lines ({money_m(costed_tco, language)} over {horizon} years before "
            f"contingency), not on one option: choosing {leader} would {'raise' if change >= 0 else 'lower'} that by "
            f"{percent(abs(change), 0)}, and the case is to be re-costed on the option contracted once the vendors have answered.")


def _technology_lead(options, scored, flips, costs, leader, cheapest, horizon, language) -> str:
    lead_name, cheap_name = _option_label(options, leader, language), _option_label(options, cheapest, language)
    if flips.empty:
        robust = ("任一权重在±50%范围内变动均不改变排名第一的方案。" if language == "zh" else
                  "No single weight moved by up to ±50% changes the leading option.")
    else:
        closest = flips.loc[flips["change_to_flip"].abs().idxmin()]
        criterion = load_criteria().at[closest.name, f"label_{language}"]
        new = _option_label(options, closest["new_leader"], language)
        change = float(closest["change_to_flip"])
        robust = (f"将“{criterion}”权重{'上调' if change > 0 else '下调'}{abs(change):.0%}即会使“{new}”得分追平或超过首选方案"
                  + ("，排名对权重较敏感。" if closest["fragile"] else "，排名在合理权重范围内稳定。") if language == "zh" else
                  f"Moving the weight of {mid_sentence(criterion)} by {change:+.0%} would bring {new} level with it or ahead"
                  + (": the ranking is sensitive to the weights." if closest["fragile"] else ": the ranking holds over reasonable weights."))
    tco_leader, tco_cheap = float(costs.at[leader, "tco"]), float(costs.at[cheapest, "tco"])
    if language == "zh":
        text = (f"加权评分推荐“{lead_name}”（{scored.at[leader, 'score']:.2f}分）。{robust}按本项目成本测算，该方案{horizon}年总成本"
                f"{money_m(tco_leader, language)}")
        return text + ("，亦为成本最低的方案。" if leader == cheapest else f"；成本最低的是“{cheap_name}”（{money_m(tco_cheap, language)}），"
                       "差额即为更高评分所付出的代价。")
    text = (f"The weighted matrix favours {lead_name} (score {scored.at[leader, 'score']:.2f}). {robust} Sized to this programme, it "
            f"costs {money_m(tco_leader, language)} over {horizon} years")
    return text + (", the cheapest option as well." if leader == cheapest else
                   f"; the cheapest is {cheap_name} at {money_m(tco_cheap, language)}, and the difference is the price of the higher score.")


def _sourcing_note(language: str) -> str:
    return ("方案评分为示例性评估，须以供应商应答与演示替换；各方案成本由本项目不含应急预算的成本项乘以方案系数得出（许可、实施、基础设施、培训、"
            "项目团队、运营），系数及其依据见工作簿的方案成本系数表。" if language == "zh" else
            "The scores are illustrative and are to be replaced by the vendors' answers and demonstrations; each option's cost is "
            "this programme's cost lines before contingency (licences, integrator, infrastructure, training, programme team, running) "
            "times the option's factors, stated with their rationale in the workbook's sourcing-factor table.")


SECTIONS = {"technology": technology, "kpi_tracking": kpi_tracking, "organisation": organisation, "data_protection": data_protection}
