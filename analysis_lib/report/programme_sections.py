"""Report sections on how the programme is run: the KPI tracking scorecard,
organisation and change management, and the data governance and privacy
checklist. Each is specific to the institution (its gaps, its size, the
initiatives selected for it) and opens with a sentence that says what it
found.
"""

from __future__ import annotations

import pandas as pd

from analysis_lib.plan.change import adoption_targets, load_change_actions, training_plan
from analysis_lib.plan.data_protection import privacy_checklist
from analysis_lib.plan.scorecard import PROGRAMME_YEARS, kpi_scorecard
from analysis_lib.reference.catalog import load_catalog
from analysis_lib.report.rendering import _p, _section, table_html
from analysis_lib.report.text import dimension_label, format_value, percent, unit_label, word

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
}


def _h(key: str, language: str, **fields) -> str:
    return HEADERS[key][language].format(**fields)


def selected_initiative_ids(diag) -> list[str]:
    """Ids of the initiatives in the institution's programme (the value
    chain's selection: the same initiatives as the business case)."""
    return [str(i) for i in diag.programme]


def kpi_tracking(diag, language: str) -> str:
    """The scorecard the programme office steers by, with yearly targets."""
    card = kpi_scorecard(diag.gaps.gaps)
    catalog = load_catalog().table
    moving = card[card[f"target_year_{PROGRAMME_YEARS}"] != card["baseline"]]
    shown = moving if len(moving) else card

    def fmt(metric: str, value: float) -> str:
        return format_value(value, catalog.at[metric, "unit"], int(catalog.at[metric, "decimals"]))

    table = pd.DataFrame({
        _h("kpi", language): [catalog.at[m, f"label_{language}"] for m in shown["metric_id"]],
        _h("dimension", language): [dimension_label(d, language) for d in shown["dimension"]],
        word("unit", language): [unit_label(u, language) for u in shown["unit"]],
        _h("baseline", language): [fmt(m, v) for m, v in zip(shown["metric_id"], shown["baseline"])],
        **{_h("year", language, n=y): [fmt(m, v) for m, v in zip(shown["metric_id"], shown[f"target_year_{y}"])]
           for y in range(1, PROGRAMME_YEARS + 1)},
        _h("owner", language): shown[f"owner_{language}"],
        _h("source", language): shown[f"data_source_{language}"],
        _h("frequency", language): [FREQUENCY_LABELS[f][language] for f in shown["frequency"]],
    })
    monthly = int((shown["frequency"] == "monthly").sum())
    if language == "zh":
        lead = (f"{len(shown)}项指标设定了逐年目标，{PROGRAMME_YEARS}年内达到差距分析的目标值，其中{monthly}项按月监测。"
                "读数落后于当年目标时亮黄灯，落后于上一年目标（第1年为差于基线）时亮红灯。")
    else:
        lead = (f"{len(shown)} KPIs get yearly targets that reach the gap analysis's targets in {PROGRAMME_YEARS} years; {monthly} are "
                "measured monthly. A reading behind the year's target is amber; one behind the previous year's target (in year 1, "
                "worse than the baseline) is red.")
    return _section("kpi_tracking", language, _p(lead) + table_html(table, "compact"))


def organisation(diag, language: str) -> str:
    """Governance, the four-part change model, training and adoption targets."""
    actions = load_change_actions()
    training = training_plan(diag.institution)
    card = kpi_scorecard(diag.gaps.gaps).set_index("metric_id")
    yearly = [float(card.at["feature_adoption", column]) for column in
              ["baseline", *[f"target_year_{y}" for y in range(1, PROGRAMME_YEARS + 1)]]] if "feature_adoption" in card.index else []
    adoption_now, adoption_target = (yearly[0], yearly[-1]) if yearly else (float("nan"), float("nan"))
    people, hours = int(training["headcount"].sum()), float(training["hours"].sum())
    if language == "zh":
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
    if yearly:
        path = adoption_targets(yearly)
        tables += table_html(pd.DataFrame({_h("quarter", language): path["quarter"],
                                           _h("adoption", language): [percent(v, 1) for v in path["target"]]}), "compact")
    return _section("organisation", language, _p(lead) + tables)


def data_protection(diag, language: str) -> str:
    """The obligations the selected initiatives trigger."""
    selected = selected_initiative_ids(diag)
    checklist = privacy_checklist(selected)
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


SECTIONS = {"kpi_tracking": kpi_tracking, "organisation": organisation, "data_protection": data_protection}
