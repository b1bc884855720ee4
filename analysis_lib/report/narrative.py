"""Executive-summary findings, written from the results.

:func:`findings` turns a :class:`~analysis_lib.report.diagnostic.Diagnostic` into a
short list of :class:`Finding` records (kind, importance and the numbers
behind them); :func:`render` writes each as a sentence in English or
Chinese. Tests check the findings data, so the narrative of a weak and of a
strong institution differ for the right reasons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analysis_lib.reference.catalog import load_catalog
from analysis_lib.report.text import dimension_label, mid_sentence, money_m, peer_group_label, percent, target_set_label, word

if TYPE_CHECKING:
    import pandas as pd

MAX_FINDINGS = 5


@dataclass(frozen=True)
class Finding:
    """One executive-summary finding: ``kind`` names the template sentence,
    ``values`` the numbers it states."""

    kind: str
    importance: float
    values: dict[str, Any] = field(default_factory=dict)


def _position_word(score: float, language: str) -> str:
    bands = [(75, "the top quartile", "前25%"), (50, "the second quartile", "前25%—50%"),
             (25, "the third quartile", "后25%—50%"), (-1, "the bottom quartile", "后25%")]
    for floor, en, zh in bands:
        if score >= floor:
            return zh if language == "zh" else en
    return ""


def findings(diag) -> list[Finding]:
    """The 3–5 most important findings of a diagnostic, most important first."""
    catalog = load_catalog()
    scores = diag.scores()
    dims = scores.drop("overall")
    rows = diag.scorecard()
    out: list[Finding] = []
    overall = float(scores["overall"])
    out.append(Finding("overall_position", 100.0, {
        "score": overall, "peer_group": diag.peer_group, "weakest": dims.idxmin(), "weakest_score": float(dims.min()),
        "strongest": dims.idxmax(), "strongest_score": float(dims.max()),
        "red": int((rows["rag"] == "red").sum()), "green": int((rows["rag"] == "green").sum()), "metrics": int(rows["rag"].ne("n/a").sum()),
        "insufficient_peers": bool(rows["reference"].str.startswith("baseline").any()),
    }))
    gaps = diag.gaps.gaps
    monetised = gaps[gaps["counted"] & (gaps["value_at_stake"] > 0)].sort_values("value_at_stake", ascending=False)
    total = diag.gaps.total_value()
    if len(monetised):
        top = monetised.head(3)
        out.append(Finding("value_at_stake", 90.0 if total > 0 else 10.0, {
            "total": total, "target_set": diag.gaps.target_set,
            "top": [(m, float(v)) for m, v in zip(top["metric_id"], top["value_at_stake"])],
            "revenue_share": total / float(diag.institution["revenue"]),
        }))
    else:
        out.append(Finding("no_material_gap", 80.0, {"target_set": diag.gaps.target_set}))
    if diag.institution_id in diag.frontier.index:
        theta = float(diag.frontier.at[diag.institution_id, "dea_crs"])
        peers = list(diag.learning_peers["peer"]) if len(diag.learning_peers) else []
        out.append(Finding("frontier", 70.0 if theta < 0.8 else 40.0, {
            "theta": theta, "peers": peers[:3], "saving": float(diag.frontier.at[diag.institution_id, "crm_cost"]
                                                              - diag.frontier.at[diag.institution_id, "target_crm_cost"]),
            "efficient": theta >= 1 - 1e-6,
        }))
    case = diag.case
    sim = diag.simulation.summary()
    out.append(Finding("business_case", 85.0, {
        "npv": case.npv, "irr": case.irr, "payback": case.payback_years,
        "payback_unconventional": bool(case.payback_note), "budget": case.tco,
        "benefit": diag.value_chain.totals()["risk_adjusted_benefit"], "prob_positive": diag.simulation.prob_npv_positive,
        "p10": float(sim.loc["npv", "p10"]), "p50": float(sim.loc["npv", "p50"]), "p90": float(sim.loc["npv", "p90"]), "recommended": bool(diag.recommended),
        "rule_selected": bool(diag.rule_selected),
        "initiatives": [str(i) for i in diag.programme],
        "names": [str(diag.initiatives.at[i, "name_en"]) for i in diag.programme],
        "names_zh": [str(diag.initiatives.at[i, "name_zh"]) for i in diag.programme],
        **_cost_gap_left_open(diag, rows),
    }))
    best = rows[rows["rag"] == "green"].sort_values("percentile", ascending=False)
    if len(best) and overall >= 50:
        out.append(Finding("strengths", 60.0, {"metrics": list(best["metric_id"].head(3)), "count": int(len(best))}))
    elif len(rows[rows["rag"] == "red"]):
        worst = rows[rows["rag"] == "red"].sort_values("percentile")
        out.append(Finding("weaknesses", 65.0, {"metrics": list(worst["metric_id"].head(3)), "count": int(len(worst))}))
    if diag.customers is not None:
        model = diag.customers["model"]
        out.append(Finding("customers", 55.0, {"churn": float(diag.customers["overall"]["churn_rate"].iloc[0]), "auc": model.auc,
                                               "at_risk": diag.customers["margin_at_risk"], "drivers": model.drivers(top=2),
                                               "drivers_zh": model.drivers(top=2, language="zh")}))
    del catalog
    return sorted(out, key=lambda f: -f.importance)[:MAX_FINDINGS]


CRM_COST_METRICS = ("crm_opex_ratio", "tco_per_customer")
"""The metrics a cost track (consolidation, decommissioning) would lower."""


def _cost_gap_left_open(diag, rows: pd.DataFrame) -> dict[str, Any]:
    """The CRM cost metrics in the bottom quarter of peers when the
    recommended programme lowers none of the CRM cost (its value comes from
    revenue, retention and productivity), with today's CRM cost; empty
    otherwise."""
    if not diag.recommended or diag.waterfall["kind"].eq("delta").any():
        return {}
    red = rows[rows["metric_id"].isin(CRM_COST_METRICS) & rows["rag"].eq("red")]
    if red.empty:
        return {}
    return {"cost_left_open": list(red["metric_id"]), "crm_cost": float(diag.waterfall["amount"].iloc[0]),
            "cost_lever": diag.best_lever(CRM_COST_METRICS)}


def _metric(metric_id: str, language: str) -> str:
    from analysis_lib.gaps.gap import CUSTOMER_BOOK

    if metric_id == CUSTOMER_BOOK:
        return "客户流失损失（客户数据）" if language == "zh" else "Churn of the customer book (customer extract)"
    return load_catalog().label(metric_id, language)


def render(finding: Finding, language: str, name: str) -> str:
    """One finding as a sentence (HTML-free plain text)."""
    v = finding.values
    zh = language == "zh"
    if finding.kind == "overall_position":
        group = peer_group_label(v["peer_group"], language)
        note = ""
        if v["insufficient_peers"]:
            note = "（部分指标同业样本不足，改用全部银行基准）" if zh else " (some metrics have insufficient peers and use the all-banks baseline)"
        if zh:
            return (f"{name}的CRM综合得分为{v['score']:.0f}分（满分100），处于{group}同业的{_position_word(v['score'], language)}{note}；"
                    f"最弱维度为{dimension_label(v['weakest'], language)}（{v['weakest_score']:.0f}分），最强维度为"
                    f"{dimension_label(v['strongest'], language)}（{v['strongest_score']:.0f}分）；{v['metrics']}项指标中{v['red']}项为红灯。")
        return (f"{name} scores {v['score']:.0f}/100 overall, in {_position_word(v['score'], language)} of {group.lower()}{note}. "
                f"Its weakest dimension is {dimension_label(v['weakest'], language).lower()} ({v['weakest_score']:.0f}), its strongest "
                f"{dimension_label(v['strongest'], language).lower()} ({v['strongest_score']:.0f}); {v['red']} of {v['metrics']} metrics are red.")
    if finding.kind == "value_at_stake":
        parts = [f"{_metric(m, language)}（{money_m(x, language)}）" if zh else f"{mid_sentence(_metric(m, language))} ({money_m(x, language)})"
                 for m, x in v["top"]]
        if zh:
            return (f"按{target_set_label(v['target_set'], language)}目标测算，缩小差距的价值空间约为每年{money_m(v['total'], language)}"
                    f"（相当于营业收入的{percent(v['revenue_share'])}），主要来自" + "、".join(parts) + "。")
        return (f"Closing the gaps to the {target_set_label(v['target_set'], language)} targets is worth about {money_m(v['total'], language)} a year "
                f"({percent(v['revenue_share'])} of revenue), led by " + ", ".join(parts) + ".")
    if finding.kind == "no_material_gap":
        return ("按所选目标集，各项指标均已达到或优于目标，没有可量化的价值空间。" if zh else
                "Against the selected targets no metric shows a gap that can be valued: the institution already meets them.")
    if finding.kind == "frontier":
        if v["efficient"]:
            return ("在DEA前沿分析中，该机构处于最佳实践前沿（θ = 1.00），可作为同业标杆。" if zh else
                    "On the DEA frontier the institution is best practice (θ = 1.00): a benchmark for its peers.")
        peers = "、".join(v["peers"]) if zh else ", ".join(v["peers"])
        if zh:
            return (f"DEA前沿分析显示，以同等客户与收入规模计，最佳实践只需其{percent(v['theta'], 0)}的CRM成本与人员投入"
                    f"（可节约CRM成本约{money_m(v['saving'], language)}）；可借鉴的标杆机构：{peers}。")
        return (f"On the DEA frontier, best practice serves the same customers and revenue with {percent(v['theta'], 0)} of its CRM cost "
                f"and staff (a CRM cost saving of about {money_m(v['saving'], language)}); peers to learn from: {peers}.")
    if finding.kind == "business_case":
        return _business_case_sentence(v, language)
    if finding.kind == "strengths":
        names = ("、" if zh else ", ").join(_metric(m, language) if zh else mid_sentence(_metric(m, language)) for m in v["metrics"])
        return (f"优势领域：{names}等{v['count']}项指标处于绿灯区间，可作为推广经验。" if zh else
                f"Strengths to build on: {v['count']} metrics are green, led by {names}.")
    if finding.kind == "weaknesses":
        names = ("、" if zh else ", ").join(_metric(m, language) if zh else mid_sentence(_metric(m, language)) for m in v["metrics"])
        return (f"最紧迫的短板：{names}等{v['count']}项指标处于同业后25%。" if zh else
                f"Most urgent weaknesses: {v['count']} metrics sit in the bottom quarter of peers, led by {names}.")
    if finding.kind == "customers":
        drivers = "；".join(v["drivers_zh"]) if zh else "; ".join(v["drivers"])
        if zh:
            return (f"客户层面：整体流失率{percent(v['churn'])}，流失预警模型AUC为{v['auc']:.2f}，"
                    f"预计一年内流失客户（样本）每年的利润贡献约{money_m(v['at_risk'], language)}；主要驱动因素：{drivers}。")
        return (f"Customer level: churn runs at {percent(v['churn'])}; the early-warning model reaches an AUC of {v['auc']:.2f}; the "
                f"customers of the extract expected to leave within a year bring {money_m(v['at_risk'], language)} of annual margin. "
                f"Main drivers: {drivers}.")
    raise ValueError(f"unknown finding kind {finding.kind!r}")


def _business_case_sentence(v: dict[str, Any], language: str) -> str:
    """The business-case finding: the programme's initiatives, cost, NPV, IRR
    and payback, or why no programme is recommended."""
    zh = language == "zh"
    irr = percent(v["irr"], 0) if math.isfinite(v["irr"]) else ("无" if zh else "none")
    if math.isfinite(v["payback"]):
        payback = f"自项目启动起{v['payback']:.1f}年收回投资" if zh else f"payback {v['payback']:.1f} years from kick-off"
    elif v.get("payback_unconventional"):
        payback = "累计现金流回正后再度为负，投资回收期不适用" if zh else "no payback period: the cumulative cash flow turns negative again"
    else:
        payback = "期内无法回收" if zh else "not paid back within the horizon"
    names = "、".join(v["names_zh"]) if zh else "; ".join(v["names"])
    if not v["rule_selected"]:
        if zh:
            return (f"没有举措满足入选规则，不建议启动升级项目：收益/成本比最高的举措（{names}）投入{money_m(v['budget'], language)}，"
                    f"净现值{money_m(v['npv'], language)}。建议保持现有优势，差距扩大时再评估。")
        return (f"No initiative clears the selection rule, so no upgrade programme is recommended: the best candidate ({names}) would "
                f"cost {money_m(v['budget'], language)} for an NPV of {money_m(v['npv'], language)}. Sustain the current position and "
                "revisit if the gaps widen.")
    if not v["recommended"]:
        if zh:
            return (f"满足入选规则的{len(v['names'])}项举措（{names}）不足以覆盖项目团队和应急预算等共享成本：总投入"
                    f"{money_m(v['budget'], language)}，净现值{money_m(v['npv'], language)}。按当前范围不建议实施；可在现有项目中推进这些举措。")
        return (f"The {len(v['names'])} initiatives that clear the selection rule ({names}) do not carry the programme's shared costs "
                f"(team and contingency): {money_m(v['budget'], language)} in all for an NPV of {money_m(v['npv'], language)}. No programme "
                "is recommended as scoped; the initiatives can be run within existing budgets.")
    return _programme_sentence(v, names, irr, payback, language) + _cost_left_open_sentence(v, language)


def _cost_left_open_sentence(v: dict[str, Any], language: str) -> str:
    """Said when the programme leaves a bottom-quarter CRM cost untouched."""
    if not v.get("cost_left_open"):
        return ""
    lever = v["cost_lever"]
    if language == "zh":
        metrics = "、".join(_metric(m, language) for m in v["cost_left_open"])
        why = (f"唯一针对该项的举措“{lever.name_zh}”在本案中收益仅为其成本的{lever.ratio:.2f}倍，未能入选" if lever else "没有候选举措针对该项")
        return (f"这些举措均不直接降低CRM成本（现为每年{money_m(v['crm_cost'], language)}），而{metrics}处于同业后25%：{why}；"
                "该成本差距仍未解决，其价值空间未计入商业论证。")
    metrics = " and ".join(mid_sentence(_metric(m, language)) for m in v["cost_left_open"])
    why = (f"the one initiative that would ({lever.name_en}) returns only {lever.ratio:.2f}x its own cost here and was not selected" if lever else
           "no candidate initiative targets it")
    return (f" None of these initiatives lowers the CRM cost itself ({money_m(v['crm_cost'], language)} a year), though {metrics} "
            f"{'sits' if len(v['cost_left_open']) == 1 else 'sit'} in the bottom quarter of peers: {why}, so that gap stays open and "
            "its value at stake is not in the business case.")


def _programme_sentence(v: dict[str, Any], names: str, irr: str, payback: str, language: str) -> str:
    """The recommended programme: initiatives, cost, benefit, NPV, IRR,
    payback and the Monte Carlo range."""
    zh = language == "zh"
    if zh:
        return (f"项目由{len(v['names'])}项举措组成（{names}），总投入{money_m(v['budget'], language)}（含应急预算），风险调整后年收益"
                f"{money_m(v['benefit'], language)}（全面达产）；净现值{money_m(v['npv'], language)}，内部收益率{irr}，{payback}；"
                f"蒙特卡洛模拟净现值中位数（P50）为{money_m(v['p50'], language)}（P10–P90：{money_m(v['p10'], language)}至"
                f"{money_m(v['p90'], language)}），净现值为正的概率为{percent(v['prob_positive'], 0)}；"
                f"基准情景{'高于' if v['npv'] >= v['p50'] else '低于'}中位数，原因是"
                f"{word('base_above_median' if v['npv'] >= v['p50'] else 'base_below_median', language)}。")
    return (f"The programme of {len(v['names'])} initiatives ({names}) costs {money_m(v['budget'], language)} including contingency "
            f"for a risk-adjusted benefit of {money_m(v['benefit'], language)} a year at full run-rate: NPV {money_m(v['npv'], language)}, "
            f"IRR {irr}, {payback}; the Monte Carlo median (P50) is {money_m(v['p50'], language)} (P10–P90 "
            f"{money_m(v['p10'], language)} to {money_m(v['p90'], language)}) and the NPV is positive in {percent(v['prob_positive'], 0)} "
            f"of draws; the base case sits {'above' if v['npv'] >= v['p50'] else 'below'} the median because "
            f"{word('base_above_median' if v['npv'] >= v['p50'] else 'base_below_median', language)}.")
