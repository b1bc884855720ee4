"""The report of a bank that leads its peers and needs no programme: one
section, "Sustaining the lead", in place of the sections on delivering a
programme (:data:`DELIVERY_SECTIONS`), and a business case that says plainly
why no investment case is made.

Which sections a report shows follows from the diagnostic alone
(:func:`applies`): the notebook calls every section of
:data:`analysis_lib.report.rendering.SECTION_ORDER`, and a section that does
not apply renders nothing.
"""

from __future__ import annotations

import math

import pandas as pd

from analysis_lib.benchmarking.positioning import MIN_PEERS
from analysis_lib.plan.watchlist import CONSECUTIVE_READINGS
from analysis_lib.reference.catalog import load_catalog
from analysis_lib.report.text import format_value, money_m, peer_group_label, unit_label

DELIVERY_SECTIONS = ("technology", "option_value", "roadmap", "risk", "kpi_tracking", "organisation", "data_protection")
"""Sections that describe delivering a programme (technology and vendors,
the pilot's option value, roadmap with the resource plan, risk register and
contingency, KPI targets, organisation and training, data-protection
obligations of the initiatives): not shown when the bank sustains its lead."""
ROLE_LABELS = {"lead": {"en": "Widest lead", "zh": "领先幅度最大"}, "thinnest": {"en": "Thinnest lead", "zh": "领先幅度最小"},
               "behind": {"en": "Worse than peer median", "zh": "差于同业中位数"}, "slipping": {"en": "Worsened last period", "zh": "较上期下滑"}}
LEVEL_LABELS = {"top_quartile": {"en": "Top quartile", "zh": "前25%分界"}, "median": {"en": "Median", "zh": "中位数"},
                "bottom_quartile": {"en": "Bottom quartile", "zh": "后25%分界"}}
CHINESE_NUMERALS = {1: "一", 2: "两", 3: "三", 4: "四"}
FREQUENCY_LABELS = {"monthly": {"en": "Monthly", "zh": "月度"}, "quarterly": {"en": "Quarterly", "zh": "季度"}}
HEADERS = {"kpi": {"en": "KPI", "zh": "指标"}, "unit": {"en": "Unit", "zh": "单位"}, "now": {"en": "Now", "zh": "现值"},
           "percentile": {"en": "Peer percentile", "zh": "同业百分位"}, "why": {"en": "Watched for", "zh": "监测原因"},
           "threshold": {"en": "Re-assess if worse than", "zh": "重新评估阈值"}, "basis": {"en": "Peer threshold", "zh": "同业阈值"},
           "owner": {"en": "Owner", "zh": "责任部门"}, "frequency": {"en": "Measured", "zh": "监测频率"}}
NO_UNIT = {"count", "score"}


def applies(diag, key: str) -> bool:
    """Whether a section belongs in this institution's report: the delivery
    sections only with a programme, "Sustaining the lead" only for a leader
    without one.

    Examples
    --------
    >>> from analysis_lib.report.diagnostic import run_diagnostic
    >>> d = run_diagnostic(institution_id="JSB-01", mc_draws=1000)
    >>> applies(d, "sustain"), applies(d, "roadmap"), applies(d, "scorecard")
    (True, False, True)
    """
    if key == "sustain":
        return diag.sustains_lead
    if key in DELIVERY_SECTIONS:
        return not diag.sustains_lead
    return True


def _names(metric_ids, language: str) -> str:
    catalog = load_catalog().table
    names = [str(catalog.at[m, f"label_{language}"]) for m in metric_ids]
    if language == "zh":
        return "、".join(names[:-1]) + "与" + names[-1] if len(names) > 1 else names[0]
    names = [n if n[:3].isupper() else n[0].lower() + n[1:] for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def action_title(diag, language: str) -> str:
    """Where the lead is widest and thinnest, and how it is watched."""
    watch = diag.watchlist()
    lead = watch.loc[watch["role"] == "lead", "metric_id"].head(2)
    thin = watch.loc[watch["role"] == "thinnest", "metric_id"].head(2)
    behind = watch.loc[watch["role"] == "behind", "metric_id"]
    if language == "zh":
        text = f"领先幅度最大的指标是{_names(lead, language)}" if len(lead) else "各项指标均未进入同业前25%"
        text += f"，领先幅度最小的是{_names(thin, language)}" if len(thin) else ""
        text += f"；{_names(behind, language)}已差于同业中位数" if len(behind) else ""
        return text + f"：{len(watch)}项指标按同业分位阈值监测，每季度复盘。"
    text = f"The lead is widest on {_names(lead, language)}" if len(lead) else "No metric is in the peers' top quarter"
    text += f" and thinnest on {_names(thin, language)}" if len(thin) else ""
    text += f"; {_names(behind, language)} already {'trails' if len(behind) == 1 else 'trail'} the peer median" if len(behind) else ""
    return text + f": {len(watch)} KPIs are watched against peer-quartile thresholds and reviewed every quarter."


def section_body(diag, language: str, p, table_html) -> str:
    """The section's HTML body (``p`` and ``table_html`` are the report's
    paragraph and table helpers)."""
    watch = diag.watchlist()
    card = diag.scorecard()
    catalog = load_catalog().table
    score = float(diag.scores()["overall"])
    top = int((card["quartile"] == 1).sum())
    group = peer_group_label(diag.peer_group, language)
    name = diag.institution.get("name") or diag.institution_id
    from analysis_lib.reference.sample import localised_name

    name = localised_name(str(name), diag.peer_group, language)
    zh = language == "zh"
    lead = (f"{name}无需开展CRM升级项目：综合得分{score:.0f}分（满分100），{len(card)}项指标中{top}项处于{group}同业前25%。"
            "当前的任务是守住这一位置：下表列出领先幅度最大与最小的指标、差于同业中位数的指标，以及各指标触发重新评估的读数。"
            if zh else
            f"{name} needs no CRM programme: it scores {score:.0f} of 100 and {top} of its {len(card)} metrics sit in the top quarter of "
            f"{group.lower()}. The task is to keep that position: the table lists where the lead is widest and thinnest, where the bank "
            "trails the peer median, and the reading of each KPI that would call for a re-assessment.")

    def fmt(metric: str, value: float) -> str:
        return format_value(value, catalog.at[metric, "unit"], int(catalog.at[metric, "decimals"]))

    h = {k: v[language] for k, v in HEADERS.items()}
    shown = pd.DataFrame({
        h["kpi"]: [catalog.at[m, f"label_{language}"] for m in watch["metric_id"]],
        h["unit"]: ["" if catalog.at[m, "unit"] in NO_UNIT else unit_label(catalog.at[m, "unit"], language) for m in watch["metric_id"]],
        h["now"]: [fmt(m, v) for m, v in zip(watch["metric_id"], watch["value"])],
        h["percentile"]: [f"{v:.0f}" for v in watch["percentile"]],
        h["why"]: [ROLE_LABELS[r][language] for r in watch["role"]],
        h["threshold"]: [fmt(m, v) for m, v in zip(watch["metric_id"], watch["threshold"])],
        h["basis"]: [LEVEL_LABELS[v][language] for v in watch["level"]],
        h["owner"]: [o if isinstance(o, str) else "–" for o in watch[f"owner_{language}"]],
        h["frequency"]: [FREQUENCY_LABELS.get(f, {}).get(language, "–") for f in watch["frequency"]],
    })
    return p(lead) + table_html(shown, "compact watchlist") + p(_thresholds(diag, language)) + p(review_sentence(diag, language))


def _thresholds(diag, language: str) -> str:
    if language == "zh":
        return (f"阈值取{diag.peer_count}家{peer_group_label(diag.peer_group, language)}同业的分位数（同业不足{MIN_PEERS}家的指标取本工具基准分位数），"
                "按各指标的优劣方向读取：处于同业前25%的指标以前25%分界值为阈值（越过即失去该项领先），处于前25%至50%之间的以同业中位数为阈值，"
                "差于中位数的以后25%分界值为阈值。")
    return (f"Thresholds are the quartiles of the peer group ({peer_group_label(diag.peer_group, language).lower()}, {diag.peer_count} "
            "institutions; the "
            f"workbook's baseline quantiles where fewer than {MIN_PEERS} peers report), read in each metric's direction: a metric in the "
            "top quarter is watched against the top-quartile boundary (crossing it ends the lead on that metric), one in the second "
            "quarter against the median, one below the median against the bottom-quartile boundary.")


def review_sentence(diag, language: str) -> str:
    """When the watch-list is reviewed and what triggers a re-assessment."""
    period = str(diag.institution.get("period", "") or "").strip()
    following = str(int(period) + 1) if period.isdigit() else ""
    if language == "zh":
        nxt = f"{following}年度数据" if following else "下一年度数据"
        readings = CHINESE_NUMERALS.get(CONSECUTIVE_READINGS, CONSECUTIVE_READINGS)
        return (f"复盘安排：月度指标由责任部门按月监测，其余按季度监测，行长办公会每季度审阅监测清单。任一指标连续{readings}期差于阈值，"
                f"即以最新数据重新运行诊断、重新评估该项差距；否则下一次全面复核在{nxt}可得时进行。")
    nxt = f"the {following} figures" if following else "next year's figures"
    return (f"Review: owners measure the monthly KPIs every month and the others every quarter; the executive committee reviews the "
            f"watch-list each quarter. A KPI worse than its threshold in {CONSECUTIVE_READINGS} readings in a row calls for a "
            f"re-assessment (the diagnostic rerun on the latest figures); otherwise the next full review comes with {nxt}.")


def business_case_body(diag, language: str, p) -> str:
    """The business case of a leader: why no investment case is made, with
    the figures that decide it and no programme tables."""
    return p(_no_case(diag, language, full=True))


def business_case_title(diag, language: str) -> str:
    """The business case's action title for a leader."""
    return _no_case(diag, language, full=False)


def _no_case(diag, language: str, full: bool) -> str:
    totals = diag.value_chain.totals()
    be = diag.break_even.set_index("driver")["break_even"] if "driver" in diag.break_even else pd.Series(dtype=float)
    need = float(be.get("annual_benefit", math.nan))
    within = money_m(totals["risk_adjusted_benefit"], language)
    best = str(diag.programme[0]) if len(diag.programme) else ""
    best_name = diag.initiatives.at[best, f"name_{language}"] if best in diag.initiatives.index else ""
    if not full:
        return (f"不作投资论证：经风险调整后CRM项目可获得的收益仅为每年{within}，而最佳候选举措需每年{money_m(need, language)}方能盈亏平衡。"
                if language == "zh" else
                f"No investment case is made: only {within} a year is within a CRM programme's reach after risk, while the best "
                f"candidate would need {money_m(need, language)} a year to break even.")
    if language == "zh":
        return (f"本报告不作投资论证，也不请求项目预算。每年{money_m(totals['value_at_stake'], language)}的价值空间中，CRM项目可影响"
                f"{money_m(totals['addressable'], language)}，经排序与风险折减后仅余每年{within}；没有举措的收益能覆盖其自身成本及分摊的项目成本"
                f"（入选规则）。收益/成本比最高的候选举措“{best_name}”{run_years_text(diag, language)}总拥有成本为{money_m(diag.case.tco, language)}，"
                f"需每年{money_m(need, language)}的收益方能盈亏平衡。价值在于守住现有的领先优势（见下一节），而非新增投入。")
    return (f"No investment case is made and no programme budget is asked for. Of {money_m(totals['value_at_stake'], language)} a year at "
            f"stake, {money_m(totals['addressable'], language)} is within a CRM programme's reach and {within} a year remains after "
            "sequencing and risk haircuts; no initiative's benefit pays for its own cost and its share of the programme's costs (the "
            f"selection rule). The best candidate, {best_name}, would cost {money_m(diag.case.tco, language)} over "
            f"{run_years_text(diag, language)} and need {money_m(need, language)} a year to break even. The value lies in keeping "
            "today's lead (next section), not in new spend.")


def run_years_text(diag, language: str) -> str:
    horizon = int(diag.params["horizon_years"])
    return f"{horizon}年" if language == "zh" else f"{horizon} years"
