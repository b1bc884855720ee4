"""The progress-review report as HTML sections, built from a
:class:`~analysis_lib.review.progress.ProgressReview`. The notebook
``progress_review.ipynb`` shows them with ``show_review(review, "section")``;
nbconvert and Chromium turn it into the client's HTML and PDF as for the
diagnostic.

Every text that comes from data is HTML-escaped; figures are embedded SVG.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis_lib.reference.catalog import load_catalog
from analysis_lib.report import review_charts
from analysis_lib.report.rendering import esc, figure_html, table_html
from analysis_lib.report.text import MoneyScale, check_language, format_value, money_m, money_scale, peer_group_label, percent, with_unit, word

BENEFIT_COLOURS = {"on track": "green", "behind": "amber", "off track": "red"}
REVIEW_SECTIONS = ("cover", "summary", "kpi_tracking", "productivity", "benefits", "delivery", "business_case", "method")
TITLES = {
    "cover": {"en": "CRM Programme Progress Review", "zh": "CRM升级项目进展评估报告"},
    "summary": {"en": "Summary", "zh": "评估摘要"},
    "kpi_tracking": {"en": "KPI tracking against baseline and targets", "zh": "关键指标跟踪：对照基线与目标"},
    "productivity": {"en": "Productivity change (Malmquist index)", "zh": "生产率变化（Malmquist指数）"},
    "benefits": {"en": "Benefits realised against the business case", "zh": "收益实现情况：对照商业论证"},
    "delivery": {"en": "Delivery: earned value and milestones", "zh": "实施进度：挣值与里程碑"},
    "business_case": {"en": "Revised business case and risks that occurred", "zh": "修订后的商业论证与已发生风险"},
    "method": {"en": "Appendix: method and sources", "zh": "附录：方法与数据来源"},
}
TEXT = {
    "baseline": {"en": "Baseline", "zh": "基线"}, "review": {"en": "Review", "zh": "本期"},
    "review_period": {"en": "Review period", "zh": "评估期间"}, "baseline_period": {"en": "Baseline period", "zh": "基线期间"},
    "target_year": {"en": "Target (year {year})", "zh": "目标（第{year}年）"}, "change": {"en": "Change", "zh": "变化"},
    "pct_move": {"en": "Percentile (baseline → review)", "zh": "同业百分位（基线→本期）"},
    "level": {"en": "Level", "zh": "水平预警"}, "trend": {"en": "Trend", "zh": "趋势预警"},
    "red": {"en": "Red", "zh": "红"}, "amber": {"en": "Amber", "zh": "黄"}, "green": {"en": "Green", "zh": "绿"}, "n/a": {"en": "n/a", "zh": "无"},
    "pair": {"en": "Periods", "zh": "期间"}, "cumulative": {"en": "Cumulative", "zh": "累计"},
    "peers": {"en": "Peer group (geometric mean)", "zh": "同业组（几何平均）"},
    "m": {"en": "Malmquist (M)", "zh": "Malmquist指数（M）"}, "ec": {"en": "Efficiency change (EC)", "zh": "效率变化（EC）"},
    "tc": {"en": "Technical change (TC)", "zh": "技术变化（TC）"}, "pec": {"en": "Pure efficiency change", "zh": "纯技术效率变化"},
    "sec": {"en": "Scale efficiency change", "zh": "规模效率变化"},
    "planned_annual": {"en": "Planned a year at full run-rate", "zh": "满负荷年度计划收益"},
    "planned_to_date": {"en": "Planned to date", "zh": "截至本期计划"},
    "realised_to_date": {"en": "Realised to date", "zh": "截至本期实现"},
    "realisation": {"en": "Realised / plan", "zh": "实现率"}, "status": {"en": "Status", "zh": "状态"},
    "on track": {"en": "on track", "zh": "符合计划"}, "behind": {"en": "behind", "zh": "落后"}, "off track": {"en": "off track", "zh": "严重偏离"},
    "period": {"en": "Period", "zh": "期间"}, "pv": {"en": "Planned value PV", "zh": "计划价值PV"},
    "ev": {"en": "Earned value EV", "zh": "挣值EV"}, "ac": {"en": "Actual cost AC", "zh": "实际成本AC"},
    "spi": {"en": "SPI", "zh": "进度绩效指数SPI"}, "cpi": {"en": "CPI", "zh": "成本绩效指数CPI"},
    "eac": {"en": "EAC", "zh": "完工估算EAC"}, "bac": {"en": "Budget at completion", "zh": "完工预算"},
    "milestone": {"en": "Milestone", "zh": "里程碑"}, "planned_week": {"en": "Planned (week)", "zh": "计划（周）"},
    "reached": {"en": "Reached", "zh": "达成期间"}, "reached late": {"en": "reached late", "zh": "延期达成"},
    "reached_on_time": {"en": "reached", "zh": "按期达成"}, "overdue": {"en": "overdue", "zh": "已逾期"}, "not yet due": {"en": "not yet due", "zh": "未到期"},
    "risk": {"en": "Risk", "zh": "风险"}, "actual_cost": {"en": "Actual cost", "zh": "实际损失"},
    "expected_exposure": {"en": "Planned expected exposure", "zh": "计划预期敞口"},
    "item": {"en": "Item", "zh": "项目"}, "planned": {"en": "As planned", "zh": "原计划"}, "revised": {"en": "Revised", "zh": "修订后"},
    "npv": {"en": "NPV", "zh": "净现值NPV"}, "overall": {"en": "Overall score", "zh": "综合得分"},
}


def t(key: str, language: str, **values) -> str:
    """Review wording in the report's language."""
    return TEXT[key][check_language(language)].format(**values)


def _section(key: str, language: str, body: str) -> str:
    return f'<section class="report-section section-{key}" id="{key}"><h2>{esc(TITLES[key][language])}</h2>{body}</section>'


def _p(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def _scale(language: str, *columns) -> MoneyScale:
    """One money unit for a table or chart, from all its amounts."""
    return money_scale(np.concatenate([np.asarray(c, dtype=float).ravel() for c in columns]), language)


def _h(key: str, scale: MoneyScale, language: str) -> str:
    return with_unit(t(key, language), scale.unit, language)


def _ratio(value: float) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.3f}"


def _index(value: float) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.2f}"


def _source(review, language: str, *files: str) -> str:
    names = "、".join(files) if language == "zh" else ", ".join(files)
    text = f"数据来源：{names}" if language == "zh" else f"Source: {names}"
    return f'<p style="font-size: 8pt; color: #5B6673; margin-top: -10px;">{esc(text)}</p>'


def _name(review, language: str = "en") -> str:
    from analysis_lib.reference.sample import localised_name

    name = review.institution.get("name")
    if not (isinstance(name, str) and name):
        return review.institution_id
    return localised_name(name, str(review.institution.get("peer_group", "")), language)


def _rag(status: str, language: str) -> tuple[str, str]:
    return (t(status, language), status.replace("/", ""))


# ------------------------------------------------------------------ findings


def findings(review, language: str) -> list[str]:
    """The summary's sentences, most important first."""
    zh = language == "zh"
    first, last = review.periods[0], review.periods[-1]
    scores = review.scores
    before, after = float(scores.at[first, "overall"]), float(scores.at[last, "overall"])
    counts = review.alert_counts()
    out = []
    direction = ("上升" if after > before else "下降") if zh else ("rose" if after > before else "fell")
    year = "年" if len(first) == 4 else ""
    out.append(f"综合得分（同业百分位，100为最佳）由{first}{year}的{before:.0f}{direction}至{last}{year}的{after:.0f}。" if zh else
               f"The overall score (peer percentile, 100 = best) {direction} from {before:.0f} in {first} to {after:.0f} in {last}.")
    out.append(f"{len(review.tracking)}项关键指标中，红色预警{counts['red']}项、黄色{counts['amber']}项、绿色{counts['green']}项。" if zh else
               f"Of {len(review.tracking)} KPIs, {counts['red']} are red, {counts['amber']} amber and {counts['green']} green.")
    top = review.movers.iloc[0] if len(review.movers) else None
    if top is not None:
        label = top[f"label_{language}"]
        move = float(top["percentile_change"])
        out.append(f"变化最大的指标是{label}：同业百分位变动{move:+.0f}。" if zh else
                   f"The largest move is {label}: {move:+.0f} percentile points among peers.")
    cumulative = review.productivity.adjacent.loc["cumulative"]
    m, peers = float(cumulative["malmquist"]), float(review.productivity.peers["malmquist"])
    if math.isfinite(m):
        growth = (m - 1) * 100
        out.append(f"CRM生产率（Malmquist生产率指数）变化{growth:+.1f}%，同业组为{(peers - 1) * 100:+.1f}%；其中效率变化{cumulative['efficiency_change']:.3f}，"
                   f"技术变化{cumulative['technical_change']:.3f}。" if zh else
                   f"CRM productivity (Malmquist) changed {growth:+.1f}% against {(peers - 1) * 100:+.1f}% for the peer group: efficiency "
                   f"change {cumulative['efficiency_change']:.3f}, technical change {cumulative['technical_change']:.3f}.")
    if review.benefits is not None:
        total = review.benefits.loc["total"]
        out.append(f"截至{review.actuals.periods[-1]}，已实现收益{money_m(total['realised_to_date'], language)}，为计划的{percent(total['realisation'], 0)}"
                   f"（{t(total['status'], language)}）。" if zh else
                   f"By {review.actuals.periods[-1]}, {money_m(total['realised_to_date'], language)} of benefits were realised, "
                   f"{percent(total['realisation'], 0)} of plan ({t(total['status'], language)}).")
        last_evm = review.evm.iloc[-1]
        out.append(f"实施进度：SPI {last_evm['spi']:.2f}，CPI {last_evm['cpi']:.2f}；完工估算{money_m(last_evm['eac_cpi'], language)}，"
                   f"完工预算{money_m(review.programme.build_budget, language)}。" if zh else
                   f"Delivery: SPI {last_evm['spi']:.2f}, CPI {last_evm['cpi']:.2f}; estimate at completion "
                   f"{money_m(last_evm['eac_cpi'], language)} against a budget of {money_m(review.programme.build_budget, language)}.")
        npv = review.npv
        out.append(f"按实际情况修订后的净现值为{money_m(npv['revised_npv'], language)}，原计划为{money_m(npv['planned_npv'], language)}。" if zh else
                   f"Revised with the actuals, the NPV is {money_m(npv['revised_npv'], language)} against "
                   f"{money_m(npv['planned_npv'], language)} planned.")
    return out


def attention(review, language: str) -> list[str]:
    """What the steering committee should act on: red KPIs, benefits off
    plan, schedule or cost beyond the 8% tolerance, overdue milestones."""
    zh = language == "zh"
    items = []
    red = review.tracking[review.tracking["status"] == "red"]
    if len(red):
        names = "、".join(red[f"label_{language}"]) if zh else ", ".join(red[f"label_{language}"])
        items.append(f"红色预警指标需制定整改措施：{names}。" if zh else f"Red KPIs need a recovery plan: {names}.")
    if review.benefits is not None:
        lagging = review.benefits[(review.benefits.index != "total") & review.benefits["status"].isin(["behind", "off track"])]
        if len(lagging):
            items.append(f"{len(lagging)}项举措的收益落后于计划，需复核收益测算与推广节奏。" if zh else
                         f"{len(lagging)} initiative(s) deliver less than planned: review their benefit tracking and roll-out pace.")
        last = review.evm.iloc[-1]
        if abs(last["cpi"] - 1) > 0.08:
            items.append(f"成本偏差超出±8%的控制线（CPI {last['cpi']:.2f}）。" if zh else
                         f"Cost deviation is beyond the ±8% control limit (CPI {last['cpi']:.2f}).")
        late = review.milestones[review.milestones["status"].isin(["overdue", "reached late"])]
        if len(late):
            names = "、".join(late[f"name_{language}"]) if zh else ", ".join(late[f"name_{language}"])
            items.append(f"里程碑延误：{names}。" if zh else f"Milestones late: {names}.")
    return items


# ------------------------------------------------------------------ sections


def cover(review, language: str) -> str:
    rows = [
        (word("institution", language), f"{_name(review, language)} ({review.institution_id})"),
        (word("peer_group", language), peer_group_label(str(review.institution["peer_group"]), language)),
        (t("baseline_period", language), review.periods[0]), (t("review_period", language), review.periods[-1]),
        (word("date", language), review.stamp["run_started_utc"][:10]),
    ]
    facts = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    body = (f'<div class="cover"><h1>{esc(TITLES["cover"][language])}</h1><p class="cover-name">{esc(_name(review, language))}</p>'
            f'<table class="cover-facts">{facts}</table><p class="confidential">{esc(word("confidential", language))}</p></div>')
    return f'<section class="report-section section-cover" id="cover">{body}</section>'


def summary(review, language: str) -> str:
    items = "".join(f"<li>{esc(s)}</li>" for s in findings(review, language))
    actions = attention(review, language)
    heading = "需要关注" if language == "zh" else "For the steering committee"
    listing = f"<h3>{esc(heading)}</h3><ul>" + "".join(f"<li>{esc(a)}</li>" for a in actions) + "</ul>" if actions else ""
    return _section("summary", language, f'<ol class="findings">{items}</ol>{listing}')


def kpi_tracking(review, language: str) -> str:
    table = review.tracking
    decimals = load_catalog().table["decimals"]
    year = int(table["year"].iloc[0]) if len(table) else 1
    frame = pd.DataFrame({
        word("metric", language): table[f"label_{language}"],
        t("baseline", language) + f" ({review.periods[0]})": [format_value(v, u, decimals[m]) for v, u, m in
                                                              zip(table["baseline"], table["unit"], table["metric_id"])],
        t("review", language) + f" ({review.periods[-1]})": [format_value(v, u, decimals[m]) for v, u, m in
                                                             zip(table["review"], table["unit"], table["metric_id"])],
        t("target_year", language, year=year): [format_value(v, u, decimals[m]) for v, u, m in zip(table["target"], table["unit"], table["metric_id"])],
        t("pct_move", language): [f"{a:.0f} → {b:.0f}" if np.isfinite(a) and np.isfinite(b) else "–"
                                  for a, b in zip(table["percentile_baseline"], table["percentile_review"])],
        t("level", language): [_rag(s, language) for s in table["level_alert"]],
        t("trend", language): [_rag(s, language) for s in table["trend_alert"]],
    })
    intro = ("水平预警：达到当年目标为绿，落后于当年目标为黄，落后于上一年目标（第1年为劣于基线）为红。趋势预警：最近一期变差且劣于基线为红，"
             "二者居一为黄。百分位为同业表现百分位，100为最佳。" if language == "zh" else
             "Level: green when the reading meets this year's target, amber when behind it, red when behind last year's target (in year 1, "
             "worse than the baseline). Trend: red when the KPI worsened over the last period and is worse than the baseline, amber for "
             "either. Percentiles are performance percentiles among peers (100 = best).")
    chart = review_charts.score_trend(review.scores, review.periods[0], language,
                                      "六维得分与综合得分（同业百分位）" if language == "zh" else "Dimension and overall scores (peer percentile)")
    moved = review.movers
    moves = "".join(f"<li>{esc(r[f'label_{language}'])}: {r['percentile_baseline']:.0f} → {r['percentile_review']:.0f}</li>"
                    for _, r in moved.iterrows())
    moved_title = "变化最大的指标（同业百分位）" if language == "zh" else "What moved most (peer percentile)"
    html_table = _rag_table(frame, [t("level", language), t("trend", language)])
    source = _source(review, language, review.stamp["panel_file"])
    return _section("kpi_tracking", language, figure_html(chart, "scores") + source + f"<h3>{esc(moved_title)}</h3><ul>{moves}</ul>"
                    + _p(intro) + html_table)


def _rag_table(frame: pd.DataFrame, rag_columns: list[str]) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column, value in row.items():
            if column in rag_columns:
                cells.append(f'<td class="rag rag-{esc(value[1])}" style="white-space: nowrap;">{esc(value[0])}</td>')
            else:
                cells.append(f"<td>{esc(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="report-table small"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def productivity(review, language: str) -> str:
    change = review.productivity
    table = change.adjacent.copy()
    table.loc[t("peers", language)] = change.peers
    labels = [t("cumulative", language) if i == "cumulative" else i for i in table.index]
    frame = pd.DataFrame({t("pair", language): labels, **{t(k, language): [_ratio(v) for v in table[c]] for k, c in
                          (("m", "malmquist"), ("ec", "efficiency_change"), ("tc", "technical_change"),
                           ("pec", "pure_efficiency_change"), ("sec", "scale_efficiency_change"))}})
    group = str(review.institution["peer_group"])
    zh = language == "zh"
    chart_labels = {
        "x": "效率变化 EC（追赶前沿）" if zh else "Efficiency change EC (catching up)",
        "y": "技术变化 TC（前沿移动）" if zh else "Technical change TC (frontier shift)",
        "others": "其他机构" if zh else "Other institutions", "peers": peer_group_label(group, language),
        "catch_up_frontier_up": "追赶且前沿进步" if zh else "catching up, frontier advancing",
        "fall_behind_frontier_up": "落后于进步的前沿" if zh else "falling behind an advancing frontier",
        "catch_up_frontier_down": "追赶，前沿后退" if zh else "catching up, frontier receding",
        "fall_behind_frontier_down": "落后且前沿后退" if zh else "falling behind, frontier receding",
    }
    chart = review_charts.productivity_quadrant(change.across, review.institution_id, group, language,
                                                (f"{review.periods[0]}→{review.periods[-1]} 生产率变化分解" if zh else
                                                 f"Productivity change {review.periods[0]}→{review.periods[-1]}: EC × TC"), chart_labels)
    intro = ("投入为CRM运营成本与员工数，产出为客户数与营业收入；每期由全部样本机构构成前沿（规模报酬不变）。M>1表示生产率提升，"
             "M = EC × TC：EC为向前沿追赶，TC为前沿本身的移动；EC再分解为纯技术效率变化与规模效率变化（规模报酬可变）。" if zh else
             "Inputs are CRM operating cost and employees, outputs customers and revenue; each period's frontier is formed by every "
             "institution of the panel (constant returns to scale). M > 1 is productivity growth; M = EC × TC, where EC is catching up "
             "with the frontier and TC the frontier's own shift; EC splits into pure efficiency and scale efficiency change (variable "
             "returns).")
    notes = "".join(f"<li>{esc(n)}</li>" for n in change.notes)
    return _section("productivity", language, _p(intro) + table_html(frame) + figure_html(chart, "quadrant")
                    + _source(review, language, review.stamp["panel_file"])
                    + (f'<ul class="conflicts">{notes}</ul>' if notes else ""))


def _no_actuals(key: str, language: str) -> str:
    return _section(key, language, _p("未提供项目实际数据文件，本节从略。" if language == "zh" else
                                      "No actuals file was given for this review; this section is left out."))


def benefits(review, language: str) -> str:
    if review.benefits is None:
        return _no_actuals("benefits", language)
    table = review.benefits
    scale = _scale(language, table["planned_annual"], table["planned_to_date"], table["realised_to_date"])
    frame = pd.DataFrame({
        word("initiative", language): table[f"name_{language}"],
        _h("planned_annual", scale, language): [scale.number(v) for v in table["planned_annual"]],
        _h("planned_to_date", scale, language): [scale.number(v) for v in table["planned_to_date"]],
        _h("realised_to_date", scale, language): [scale.number(v) for v in table["realised_to_date"]],
        t("realisation", language): [percent(v, 0) for v in table["realisation"]],
        t("status", language): [(t(s, language), BENEFIT_COLOURS.get(s, "na")) for s in table["status"]],
    })
    rows = table.drop(index="total")
    chart = review_charts.benefits_bars(rows, list(rows[f"name_{language}"]), language,
                                        "各举措收益：计划与实现" if language == "zh" else "Benefits to date: planned and realised",
                                        (t("planned", language), t("realised_to_date", language)))
    intro = ("计划收益为原诊断商业论证中各举措的年度收益 × 收益实现率 × 爬坡系数，按上线后各期分摊。"
             "实现率不低于90%为符合计划，60%–90%为落后，低于60%为严重偏离。" if language == "zh" else
             "The plan is each initiative's annual benefit in the original business case × the benefit realisation × the ramp-up, spread "
             "over the periods since go-live. Status: on track at 90% of plan or more, behind from 60%, off track below.")
    return _section("benefits", language, _p(intro) + _rag_table(frame, [t("status", language)]) + figure_html(chart, "benefits")
                    + _source(review, language, review.stamp["actuals_file"], review.stamp["summary_file"]))


def delivery(review, language: str) -> str:
    if review.evm is None:
        return _no_actuals("delivery", language)
    evm = review.evm
    scale = _scale(language, evm[["planned_value", "earned_value", "actual_cost", "eac_cpi"]].to_numpy())
    frame = pd.DataFrame({
        t("period", language): evm["period"], _h("pv", scale, language): [scale.number(v) for v in evm["planned_value"]],
        _h("ev", scale, language): [scale.number(v) for v in evm["earned_value"]],
        _h("ac", scale, language): [scale.number(v) for v in evm["actual_cost"]],
        t("spi", language): [_index(v) for v in evm["spi"]], t("cpi", language): [_index(v) for v in evm["cpi"]],
        _h("eac", scale, language): [scale.number(v) for v in evm["eac_cpi"]],
    })
    chart = review_charts.s_curve(evm, review.programme.build_budget, language,
                                  "挣值S曲线" if language == "zh" else "Earned value S-curve",
                                  (t("pv", language), t("ev", language), t("ac", language),
                                   f"{t('bac', language)} {money_m(review.programme.build_budget, language)}"))
    stones = review.milestones
    status_map = {"reached": "reached_on_time", "reached late": "reached late", "overdue": "overdue", "not yet due": "not yet due"}
    colour = {"reached": "green", "reached late": "amber", "overdue": "red", "not yet due": "na"}
    milestone_frame = pd.DataFrame({
        t("milestone", language): stones[f"name_{language}"], t("planned_week", language): [f"{w:.0f}" for w in stones["week"]],
        t("reached", language): stones["reached_period"].fillna("–"),
        t("status", language): [(t(status_map[s], language), colour[s]) for s in stones["status"]],
    })
    intro = ("完工预算（BAC）为原商业论证的建设投入；计划价值按路线图各阶段周数线性累计、按阶段人力成本加权；挣值为完工预算 × 各阶段完成比例；"
             "SPI = EV/PV，CPI = EV/AC，完工估算EAC = BAC/CPI。偏差超过±8%需预警。" if language == "zh" else
             "Budget at completion (BAC) is the build cost of the original business case; planned value accrues linearly over each "
             "roadmap phase's weeks, weighted by the phase's people cost; earned value is BAC × each phase's share complete. SPI = EV/PV, "
             "CPI = EV/AC, EAC = BAC/CPI. A deviation beyond ±8% is flagged.")
    return _section("delivery", language, _p(intro) + table_html(frame) + figure_html(chart, "s-curve")
                    + _source(review, language, review.stamp["actuals_file"], review.stamp["summary_file"])
                    + _rag_table(milestone_frame, [t("status", language)]))


def business_case(review, language: str) -> str:
    if review.npv is None:
        return _no_actuals("business_case", language)
    npv = review.npv
    scale = _scale(language, [npv["planned_npv"], npv["revised_npv"], npv["change"]])
    frame = pd.DataFrame({t("item", language): [with_unit(t("npv", language), scale.unit, language)],
                          t("planned", language): [scale.number(npv["planned_npv"])], t("revised", language): [scale.number(npv["revised_npv"])],
                          t("change", language): [scale.number(npv["change"])]})
    intro = (f"修订方法：已发生期间采用实际收益与实际支出；剩余建设投入按完工估算（EAC）减已支出计，并保留原应急比例；未来收益按截至本期的实现率"
             f"（{percent(npv['realisation_applied'], 0)}，不高于100%）折算；折现率与原方案一致（{percent(review.programme.inputs.discount_rate, 1)}）。"
             f"原诊断报告的净现值为{money_m(review.programme.planned_npv, language)}（按年度模型）；上表的原计划值按与实际数据相同的期间频率重新计算。"
             if language == "zh" else
             f"Revision: the periods elapsed use the actual benefits and spend; the rest of the build is the EAC less what is spent, with "
             f"the original contingency share; future benefits are scaled by the realisation to date ({percent(npv['realisation_applied'], 0)}, "
             f"at most 100%); the discount rate is the original {percent(review.programme.inputs.discount_rate, 1)}. The diagnosis reported "
             f"an NPV of {money_m(review.programme.planned_npv, language)} (annual model); the planned figure above is recomputed at the "
             "actuals' period frequency.")
    body = _p(intro) + table_html(frame)
    risks = review.risks
    heading = "已发生的风险" if language == "zh" else "Risks that occurred"
    if risks is not None and len(risks):
        risk_scale = _scale(language, risks["actual_cost"], risks["expected_exposure"])
        risk_frame = pd.DataFrame({
            t("risk", language): [f"{i} {r[f'title_{language}']}" for i, r in risks.iterrows()],
            t("period", language): risks["period"],
            _h("actual_cost", risk_scale, language): [risk_scale.number(v) for v in risks["actual_cost"]],
            _h("expected_exposure", risk_scale, language): [risk_scale.number(v) for v in risks["expected_exposure"]],
        })
        total = float(risks["actual_cost"].sum())
        reserve = review.programme.build_budget * review.programme.inputs.contingency
        note = (f"已发生风险损失合计{money_m(total, language)}，占应急预算（{money_m(reserve, language)}）的{percent(total / reserve, 0)}。" if language == "zh"
                else f"Risks that occurred cost {money_m(total, language)} in total, {percent(total / reserve, 0)} of the contingency "
                f"reserve ({money_m(reserve, language)}).")
        body += f"<h3>{esc(heading)}</h3>" + table_html(risk_frame) + _p(note)
    else:
        body += f"<h3>{esc(heading)}</h3>" + _p("本期未报告已发生的风险。" if language == "zh" else "No risk was reported as having occurred.")
    return _section("business_case", language, body)


def method(review, language: str) -> str:
    stamp = review.stamp
    names = (("面板文件", "面板文件SHA-256", "原诊断摘要", "项目实际数据", "运行开始时间") if language == "zh" else
             ("panel", "panel SHA-256", "diagnosis summary", "actuals", "run started"))
    values = (stamp["panel_file"], stamp["panel_sha256"], stamp["summary_file"], stamp["actuals_file"] or "–", stamp["run_started_utc"])
    rows = list(zip(names, values))
    text = ("方法：同业百分位按各期面板分别计算（同业组不少于10家时用样本分布，否则用全部银行基准分位数）；目标与预警阈值来自原诊断的关键指标跟踪卡"
            "（三年内由基线等步长达到差距分析目标）；Malmquist指数采用Färe–Grosskopf–Norris–Zhang（1994）分解，以HiGHS求解线性规划；"
            "挣值管理按PMBOK定义。" if language == "zh" else
            "Method: peer percentiles are computed on each period's panel (the panel distribution when at least 10 peers report, "
            "otherwise the all-banks baseline quantiles); targets and alert thresholds come from the original diagnosis's KPI scorecard "
            "(equal steps from the baseline to the gap-analysis target over three years); the Malmquist index is the Färe–Grosskopf–"
            "Norris–Zhang (1994) decomposition with linear programmes solved by HiGHS; earned value follows the PMBOK definitions.")
    body = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in rows)
    return _section("method", language, _p(text) + f'<table class="report-table stamp">{body}</table>')


SECTIONS = {"cover": cover, "summary": summary, "kpi_tracking": kpi_tracking, "productivity": productivity, "benefits": benefits,
            "delivery": delivery, "business_case": business_case, "method": method}


def review_section_html(review, key: str) -> str:
    """HTML of one section of the progress review in its language.

    Examples
    --------
    >>> from analysis_lib.review.progress import run_review
    >>> "Summary" in review_section_html(run_review(), "summary")
    True
    """
    if key not in SECTIONS:
        raise KeyError(f"unknown section {key!r}; sections are {', '.join(REVIEW_SECTIONS)}")
    return SECTIONS[key](review, review.language)


def show_review(review, key: str):
    """Display one section in a notebook (an ``IPython.display.HTML``)."""
    from IPython.display import HTML

    return HTML(review_section_html(review, key))


def record_review_summary(review):
    """The review's key results as a machine-readable notebook output (not
    shown in the client report)."""
    from analysis_lib.report.summary import SUMMARY_MIMETYPE

    return {SUMMARY_MIMETYPE: review.summary()}

