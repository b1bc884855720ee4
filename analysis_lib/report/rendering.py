"""Report sections as HTML fragments, built from a
:class:`~analysis_lib.report.diagnostic.Diagnostic`. The notebook shows them with
``show(diag, "section")``; nbconvert turns the executed notebook into the
client's HTML, and Chromium prints that to PDF.

Every text that comes from data (names, ids, labels) is HTML-escaped.
Figures are embedded as base64 SVG images, so the HTML needs no network.
"""

from __future__ import annotations

import base64
import html
import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis_lib.benchmarking.positioning import MIN_PEERS, public_share
from analysis_lib.benchmarking.sfa import LR_CRITICAL_5PCT
from analysis_lib.reference.baselines import load_baselines
from analysis_lib.reference.catalog import DIMENSION_LABELS, DIMENSIONS, load_catalog, load_peer_groups
from analysis_lib.reference.sample import localised_name, synthetic_name
from analysis_lib.report import charts, economics
from analysis_lib.report.action_titles import action_title, pilot_purpose
from analysis_lib.report.narrative import findings, render
from analysis_lib.report.recommendation import decision, headline
from analysis_lib.report.text import (
    WORDS,
    abbreviations,
    dimension_label,
    format_value,
    load_glossary,
    mid_sentence,
    money_header,
    money_m,
    money_scale,
    peer_group_label,
    percent,
    problem_zh,
    response_label,
    target_set_label,
    title,
    unit_label,
    with_unit,
    word,
)

REPORT_PARTS = (
    ("cover", "executive_summary"),
    ("scorecard", "positioning", "frontier", "expectations"),
    ("gaps", "value_chain", "initiatives", "technology"),
    ("business_case", "sustain", "option_value"),
    ("roadmap", "risk", "kpi_tracking", "organisation", "data_protection"),
    ("customers",),
    ("data_quality", "methodology", "glossary", "reproducibility"),
)
"""The report's sections in the parts a reader moves through (summary, where
the bank stands, the programme, its economics, its delivery, customers,
appendix): the diagnostic notebook shows one part per cell."""
SECTION_ORDER = tuple(key for part in REPORT_PARTS for key in part)
FIGURE_DPI = 150
"""Figures are 6.7 in wide: about 1,000 pixels, sharp on an A4 page."""
DRIVER_LABELS = {
    "annual_benefit": {"en": "Annual benefit", "zh": "年度收益"}, "total_budget": {"en": "Total budget", "zh": "总预算"},
    "build_share": {"en": "Build share", "zh": "建设投入占比"}, "contingency": {"en": "Contingency", "zh": "应急预算比例"},
    "benefit_realisation": {"en": "Benefit realisation", "zh": "收益实现率"}, "discount_rate": {"en": "Discount rate", "zh": "折现率"},
}


def esc(value: object) -> str:
    """Escaped text, with every Chinese term kept on one line (:func:`keep_terms`)."""
    return keep_terms(html.escape(str(value), quote=False))


_ID = re.compile(r"(?<![\w-])[A-Za-z]+-\d+(?![\w-])")


@lru_cache(maxsize=1)
def _terms_pattern() -> re.Pattern:
    catalog = load_catalog().table
    terms = {t for t in load_glossary()["zh"] for t in re.split("[、，]", t)}
    terms |= {str(v["zh"]) for v in WORDS.values() if "{" not in v["zh"] and len(v["zh"]) <= 12}
    terms |= {v["zh"] for v in DIMENSION_LABELS.values()} | set(catalog["label_zh"]) | set(load_peer_groups()["label_zh"])
    chinese = sorted((t for t in terms if re.search("[\u4e00-\u9fff]", t) and len(t) >= 2 and "<" not in t and "&" not in t),
                     key=len, reverse=True)
    # the sample panel's synthetic names with their number first: 模拟农村商业银行02
    synthetic = [re.escape(synthetic_name(group, 0, "zh").removesuffix("00")) + "\\d*" for group in load_peer_groups().index]
    return re.compile("|".join(synthetic + [re.escape(t) for t in chinese]))


def keep_terms(escaped: str) -> str:
    """Wrap the Chinese terms of escaped text (glossary, metric, dimension,
    peer-group and report words) and institution ids in no-break spans, so
    that a line never splits a term (战略/性) or an id (RURAL-/13); text
    without Chinese is returned unchanged.

    Examples
    --------
    >>> keep_terms("战略性")
    '<span class="term">战略性</span>'
    >>> keep_terms("Strategic")
    'Strategic'
    >>> keep_terms("建设数据平台(CDP)")
    '建设数据平台（CDP）'
    >>> keep_terms("模拟农村商业银行13（RURAL-13）")
    '<span class="term">模拟农村商业银行13</span>（<span class="term">RURAL-13</span>）'
    """
    if not re.search("[\u4e00-\u9fff]", escaped):
        return escaped
    escaped = re.sub("(?<=[\u4e00-\u9fff])\\(([^()<>]*)\\)", "（\\1）", escaped)  # full-width brackets after Chinese
    kept = _terms_pattern().sub(lambda m: f'<span class="term">{m.group(0)}</span>', escaped)
    return _ID.sub(lambda m: f'<span class="term">{m.group(0)}</span>', kept)  # institution ids: RURAL-02


FIGURE_HOOKS: list = []
"""Callables given every report figure before it is closed (the deck keeps a
slide-resolution copy of each chart: :mod:`analysis_lib.report.deck`)."""


def figure_html(fig, alt: str, source: str = "") -> str:
    """A matplotlib figure as an embedded SVG image (then closed): vector,
    with selectable text in the PDF (:func:`~analysis_lib.report.charts.figure_svg`);
    its source line (:func:`chart_source`) as the caption."""
    for hook in FIGURE_HOOKS:
        hook(fig, alt)
    data = base64.b64encode(charts.figure_svg(fig)).decode("ascii")
    caption = f'<figcaption class="chart-source">{esc(source)}</figcaption>' if source else ""
    return f'<figure class="chart"><img alt="{html.escape(alt, quote=True)}" src="data:image/svg+xml;base64,{data}"/>{caption}</figure>'


CHART_BASES = ("panel", "frontier", "case", "plan", "extract")
"""What a chart rests on, for its source line."""
SECTION_BASIS = {"frontier": "frontier", "gaps": "case", "value_chain": "case", "initiatives": "case", "technology": "case",
                 "business_case": "case", "option_value": "case", "roadmap": "plan", "risk": "plan", "kpi_tracking": "plan",
                 "organisation": "plan", "data_protection": "plan", "customers": "extract"}
"""What each section rests on (the others: the institution panel), for a slide's source line."""


def chart_source(diag, basis: str, language: str, prefix: bool = True) -> str:
    """The source line under a chart: what the figure rests on, the year,
    and whether the peers are real or the synthetic sample.

    Parameters
    ----------
    basis : str
        One of :data:`CHART_BASES`: ``panel`` (the institution against its
        peer group), ``frontier`` (DEA and SFA on the whole panel), ``case``
        (the business-case model), ``plan`` (roadmap and risk register),
        ``extract`` (the customer extract).
    prefix : bool
        Start with "Source: " (the deck's footer adds its own).
    """
    if basis not in CHART_BASES:
        raise KeyError(f"unknown chart basis {basis!r}; bases are {', '.join(CHART_BASES)}")
    zh = language == "zh"
    period = str(diag.institution.get("period", "") or "").strip()
    synthetic = diag.synthetic_peers()
    group = peer_group_label(diag.peer_group, language)
    kind = ("模拟示例数据" if synthetic else "客户提供的数据") if zh else ("synthetic sample panel" if synthetic else "client-supplied panel")
    when = (f"{period}年" if zh else f" {period}") if period else ""
    texts = {
        "panel": (f"机构面板数据{when}（{kind}），{group}同业{diag.peer_count}家；同业不足{MIN_PEERS}家的指标采用本工具基准分位数。",
                  f"institution panel{when} ({kind}), {diag.peer_count} {group.lower()} peers; metrics with fewer than {MIN_PEERS} "
                  "peers use the workbook's reference baselines."),
        "frontier": (f"基于全部{len(diag.frontier)}家机构面板数据{when}（{kind}）的数据包络分析与随机前沿分析。",
                     f"DEA and SFA on the whole panel{when}, {len(diag.frontier)} institutions ({kind})."),
        "case": (f"本工具商业论证模型，基于机构{when}数据、价值驱动因素、举措影响与成本假设（见方法说明附录）。",
                 f"the workbook's business-case model on the institution's{when} figures, value drivers, initiative impacts and "
                 "cost assumptions (methodology appendix)."),
        "plan": ("本工具路线图（计划评审技术工期估计）与风险登记册，依据方法模板，按项目预算测算。",
                 "the workbook's roadmap (PERT duration estimates) and risk register, after the methodology template, sized "
                 "to the programme budget."),
        "extract": ("机构客户明细数据，经本工具客户分析模型处理。",
                    "the institution's customer extract, analysed by the workbook's customer model."),
    }
    text = texts[basis][0 if zh else 1]
    if not prefix:
        return text
    return f"资料来源：{text}" if zh else f"Source: {text}"


def table_html(frame: pd.DataFrame, classes: str = "", rag_column: str | None = None) -> str:
    """A small table; every cell escaped; an optional RAG column coloured."""
    head = "".join(f"<th>{_unit_together(esc(c))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column, value in row.items():
            css = f' class="rag rag-{esc(row[rag_column][1])}"' if rag_column and column == rag_column else ""
            shown = value[0] if rag_column and column == rag_column else value
            cells.append(f"<td{css}>{esc(shown)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="report-table {classes}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _unit_together(header: str) -> str:
    """Keep a Chinese header's bracketed unit on one line: 价值空间（亿元/年）."""
    return re.sub("（[^（）<]*）", lambda m: f'<span class="term">{m.group(0)}</span>', header)


def _section(key: str, language: str, body: str) -> str:
    return f'<section class="report-section section-{key}" id="{key}"><h2>{html.escape(title(key, language))}</h2>{body}</section>'


def _p(text: str) -> str:
    return f"<p>{esc(text)}</p>"


def _name(diag) -> str:
    name = diag.institution.get("name")
    return localised_name(name, diag.peer_group, diag.language) if isinstance(name, str) and name else diag.institution_id


def _units(metric_ids, language: str, units=None) -> list[str]:
    """A table's unit column: each metric's unit from the catalog, in the
    report's language (a row that is not a catalog metric, such as the
    customer book's churn, labels its own ``units``)."""
    catalog = load_catalog()
    units = list(units) if units is not None else [""] * len(metric_ids)
    return [catalog.unit_label(m, language) if m in catalog else unit_label(u, language) for m, u in zip(metric_ids, units)]


# ------------------------------------------------------------------ sections


def cover(diag, language: str) -> str:
    params = diag.params
    zh = language == "zh"
    rows = [
        (word("institution", language), f"{_name(diag)}（{diag.institution_id}）" if zh else f"{_name(diag)} ({diag.institution_id})"),
        (word("peer_group", language), word("peers_n", language, group=peer_group_label(diag.peer_group, language), n=diag.peer_count)),
        (word("date", language), diag.stamp["run_started_utc"][:10]),
        (word("prepared_for", language), word("executive_committee", language, name=_name(diag))),
        (word("prepared_by", language), params.get("prepared_by") or word("engagement_team", language)),
    ]
    basis = [
        (word("target_set", language), target_set_label(params["target_set"], language)),
        (word("discount_rate", language), percent(params["discount_rate"])),
        (word("horizon", language), word("years_n", language, n=params["horizon_years"])),
        (word("scenario", language), word(params["scenario"], language) if params["scenario"] in ("base", "pessimistic", "optimistic")
         else params["scenario"]),
    ]
    facts = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    basis_rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in basis)
    joiner = "；" if zh else "; "
    english = dict(zip(load_glossary()["abbreviation"], load_glossary()["en"]))
    terms = joiner.join(f"{a}指{n}" if zh else f"{a} {english[a][0].lower()}{english[a][1:]}" for a, n in abbreviations().items())
    legend = f"{word('abbreviations', language)}{'：' if zh else ': '}{terms}{'。' if zh else '.'}"
    body = (f'<div class="cover"><h1>{esc(title("cover", language))}</h1><p class="cover-name">{esc(_name(diag))}</p>'
            f'<table class="cover-facts">{facts}</table><h3>{esc(word("basis", language))}</h3>'
            f'<table class="cover-params">{basis_rows}</table><p class="abbreviations">{esc(legend)}</p>'
            f'<p class="confidential">{esc(word("confidential", language))}</p></div>')
    return f'<section class="report-section section-cover" id="cover">{body}</section>'


def executive_summary(diag, language: str) -> str:
    items = "".join(f"<li>{esc(render(f, language, _name(diag)))}</li>" for f in findings(diag))
    return _section("executive_summary", language, verdict_block(diag, language)
                    + economics.plausibility_block(diag, language, consistency=True) + f'<ol class="findings">{items}</ol>'
                    + moves_block(diag, language) + hundred_days_block(diag, language))


def moves_block(diag, language: str) -> str:
    """The three to five moves that create most of the value, with CNY a
    year and timing; for a bank without a programme, why not."""
    moves = diag.key_moves()
    zh = language == "zh"
    head = f"<h3 class=\"moves-head\">{esc(word('key_moves', language))}</h3>"
    if moves.empty:
        heading = word("where_value_lies" if diag.sustains_lead else "key_moves", language)
        head = f"<h3 class=\"moves-head no-moves\">{esc(heading)}</h3>"  # one paragraph: it stays on the summary's page
        score = float(diag.scores()["overall"])
        if "leads_peers" in diag.recommendation().economic_reasons:
            text = (f"{_name(diag)}综合得分{score:.0f}分，在同业中处于领先地位：价值在于守住优势（见“保持领先”一节），而非开展全面升级项目。"
                    if zh else
                    f"{_name(diag)} leads its peers (overall score {score:.0f} of 100): the value lies in protecting the lead (see "
                    "\"Sustaining the lead\"), not in a broad upgrade programme.")
        else:
            text = ("没有举措能以自身收益覆盖其成本及项目共享成本，因此不列出推荐举措。" if zh else
                    "No initiative pays for its own and the programme's shared costs, so no moves are listed.")
        return head + _p(text)
    items = []
    for _, m in moves.iterrows():
        name = m["name_zh"] if zh else m["name_en"]
        items.append(f"{name}：每年{money_m(m['annual_benefit'], language)}（占项目收益{percent(m['share'], 0)}），第{m['first_value_month']}个月起见效，"
                     f"第{m['full_value_month']}个月全面达产" if zh else
                     f"{name}: {money_m(m['annual_benefit'], language)} a year ({percent(m['share'], 0)} of the programme's benefit), "
                     f"first value in month {m['first_value_month']}, full run-rate by month {m['full_value_month']}")
    return head + '<ol class="moves">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ol>"


def hundred_days_block(diag, language: str) -> str:
    """The first 100 days that fit the verdict, as a small table."""
    plan = diag.hundred_days()
    suffix = "zh" if language == "zh" else "en"
    shown = pd.DataFrame({word("day", language): plan["day"].astype(int), word("action", language): plan[f"action_{suffix}"],
                          word("owner", language): plan[f"owner_{suffix}"]})
    return f"<h3>{esc(word('first_100_days', language))}</h3>" + table_html(shown, "first-100-days")


CONDITION_TEXT = {
    "annual_benefit": {"en": "an annual benefit of at least {be} (base case {base})", "zh": "年度收益不低于{be}（基准情景{base}）"},
    "total_budget": {"en": "a budget before contingency of no more than {be} (base case {base})",
                     "zh": "不含应急预算的总预算不超过{be}（基准情景{base}）"},
    "benefit_realisation": {"en": "at least {be} of the planned benefits realised (base case {base})",
                            "zh": "计划收益的实现率不低于{be}（基准情景{base}）"},
}


def verdict_block(diag, language: str) -> str:
    """The recommendation, the decision requested, how much of the comparison
    rests on public data, and what must be true."""
    recommendation = diag.recommendation()
    confidence = diag.benchmark_confidence()
    share = public_share(confidence)
    synthetic = diag.synthetic_peers()
    public = int(round(share * len(confidence)))
    if language == "zh":
        basis = ((f"对标依据：{len(confidence)}项指标比较中，{public}项基于公开数据或真实同业数据，其余基于方法模板或假设；" if public else
                  f"对标依据：{len(confidence)}项指标比较均未采用公开数据或真实同业数据，全部基于方法模板或假设；")
                 + ("同业样本为模拟数据（随附示例），结论仅供演示。" if synthetic else "同业样本为真实机构数据。"))
    else:
        basis = ((f"Confidence: {public} of the {len(confidence)} benchmark comparisons rest on public figures or a real peer panel, "
                  "the rest on the methodology template or assumptions; " if public else
                  f"Confidence: none of the {len(confidence)} benchmark comparisons rests on public figures or a real peer panel; all rest "
                  "on the methodology template or assumptions; ")
                 + ("the peers are synthetic (the bundled sample panel), so the findings are illustrative." if synthetic else
                    "the peers are real institutions."))
    rows = []
    for row in recommendation.conditions.itertuples(index=False):
        if row.driver not in CONDITION_TEXT or not np.isfinite(row.break_even):
            continue
        fmt = (lambda v: percent(v, 0)) if row.driver == "benefit_realisation" else (lambda v: money_m(v, language))
        rows.append(CONDITION_TEXT[row.driver][language].format(be=fmt(row.break_even), base=fmt(row.base_value)))
    must = ""
    if rows:
        head = ("净现值保持为正需满足：" if recommendation.economic_verdict != "do_not_proceed" else "实现盈亏平衡需满足：") \
            if language == "zh" else ("What must be true for the NPV to stay positive: " if recommendation.economic_verdict != "do_not_proceed"
                                      else "What would have to be true to break even: ")
        sep = "；" if language == "zh" else "; "
        must = _p(head + sep.join(rows) + ("。" if language == "zh" else "."))
    return (f'<div class="verdict verdict-{esc(recommendation.verdict)}"><p class="verdict-headline">'
            f'{esc(headline(recommendation, language))}</p>{_p(decision(recommendation, language) + _pilot_budget(diag, language))}'
            f'{must}{_p(basis)}</div>')


def _pilot_budget(diag, language: str) -> str:
    """For a pilot-first verdict, what the pilot commits before the go/no-go
    (the one-off budget and contingency less the rollout's share of the
    resource plan) and what waits for its results."""
    if diag.recommendation().verdict != "pilot_first":
        return ""
    one_off = float(diag.option["one_off"])
    rollout = one_off * float(diag.option["rollout_share"])
    pilot = one_off - rollout
    if language == "zh":
        return (f"试点预算：全面推广决策前投入{money_m(pilot, language)}（占一次性预算及应急预算{money_m(one_off, language)}的"
                f"{percent(pilot / one_off, 0)}）；推广阶段的{money_m(rollout, language)}待试点达标后再投入。")
    return (f" Pilot budget: {money_m(pilot, language)} is committed before the go/no-go ({percent(pilot / one_off, 0)} of the one-off budget "
            f"and contingency of {money_m(one_off, language)}); the rollout's {money_m(rollout, language)} waits for the pilot's results.")


def _rag(value: str, language: str) -> tuple[str, str]:
    return (word(value, language), value.replace("/", ""))


def _basis(diag, metric_ids, language: str) -> list[str]:
    """Per metric, what its benchmark rests on: source class and year, and
    the number of peers where it differs from the peer group's (confidence on
    the page, next to every benchmark)."""
    confidence = diag.benchmark_confidence()
    shown = []
    for metric_id in metric_ids:
        if metric_id not in confidence.index:
            shown.append("–")
            continue
        row = confidence.loc[metric_id]
        year = f" {int(row['year'])}" if pd.notna(row["year"]) else ""
        fewer = pd.notna(row["n"]) and int(row["n"]) != diag.peer_count  # the peer count is on the cover and under the chart
        peers = ("，" if language == "zh" else ", ") + f"n={int(row['n'])}" if fewer else ""
        shown.append(f"{word(str(row['source_class']), language)}{year}{peers}")
    return shown


def scorecard(diag, language: str) -> str:
    rows = diag.scorecard()
    label = f"label_{language}"
    table = pd.DataFrame({
        word("dimension", language): [dimension_label(d, language) for d in rows["dimension"]],
        word("metric", language): rows[label],
        word("unit", language): _units(rows["metric_id"], language),
        word("value", language): [format_value(v, u, d) for v, u, d in zip(rows["value"], rows["unit"],
                                                                            load_catalog().table.loc[rows["metric_id"], "decimals"])],
        word("peer_median", language): [format_value(v, u, d) for v, u, d in zip(rows["peer_median"], rows["unit"],
                                                                                  load_catalog().table.loc[rows["metric_id"], "decimals"])],
        word("percentile", language): [f"{p:.0f}" if np.isfinite(p) else "–" for p in rows["percentile"]],
        word("benchmark_basis", language): _basis(diag, rows["metric_id"], language),
        word("status", language): [_rag(r, language) for r in rows["rag"]],
    })
    scores = diag.scores()
    dims = "".join(f"<tr><th>{esc(dimension_label(d, language))}</th><td>{scores[d]:.0f}</td></tr>" for d in DIMENSIONS)
    dims += f'<tr class="total"><th>{esc(word("overall", language))}</th><td>{scores["overall"]:.0f}</td></tr>'
    radar = charts.radar(scores, language, title("scorecard", language))
    small = rows["reference"].str.startswith("baseline").any()
    note = ""
    if small:
        note = _p(f"{word('insufficient_peers', language)}: " + (
            f"同业组可比机构少于{diag.stamp['min_peers']}家的指标，改用全部银行基准分位数进行比较。" if language == "zh" else
            f"where fewer than {diag.stamp['min_peers']} peers report a metric, the percentile is read from the all-banks baseline "
            "instead of the panel."))
    body = (f'<div class="two-col"><table class="report-table scores">{dims}</table>{figure_html(radar, "radar", chart_source(diag, "panel", language))}</div>'
            + note + table_html(table, "scorecard", rag_column=word("status", language)))
    return _section("scorecard", language, body)


def positioning(diag, language: str) -> str:
    rows = diag.scorecard()
    catalog = load_catalog()
    key = rows[rows["metric_id"].isin(catalog.key_metrics())]
    key = key.assign(unit_label=[catalog.unit_label(m, language, scale=False) for m in key["metric_id"]])
    frame = diag.panel.latest().data
    peers = frame[(frame["peer_group"] == diag.peer_group) & (frame["institution_id"] != diag.institution_id)]
    values = {m: peers[m].dropna().to_numpy() for m in key["metric_id"]}
    intro = ("菱形为本机构（颜色表示红灯、黄灯、绿灯状态），灰点为同业机构，方框为同业四分位区间；箭头↑表示越高越好，↓表示越低越好。"
             if language == "zh" else
             "The diamond is this institution (coloured by its RAG status), grey dots are its peers and the box their interquartile "
             "range; the arrow gives the direction in which the metric improves.")
    fig = charts.peer_distributions(key, values, language, title("positioning", language))
    return _section("positioning", language, _p(intro) + figure_html(fig, "peer positioning", chart_source(diag, "panel", language)))


def frontier(diag, language: str) -> str:
    inst = diag.institution_id
    if inst not in diag.frontier.index:
        return _section("frontier", language, _p("–"))
    row = diag.frontier.loc[inst]
    metrics = pd.DataFrame({
        "": ["DEA θ (CRS)", "DEA θ (VRS)", "Scale efficiency", "SFA cost efficiency"] if language == "en" else
            ["DEA效率值θ（规模报酬不变）", "DEA效率值θ（规模报酬可变）", "规模效率", "SFA成本效率"],
        word("score", language): [f"{row['dea_crs']:.2f}", f"{row['dea_vrs']:.2f}", f"{row['scale_efficiency']:.2f}",
                                  f"{row['sfa_cost_efficiency']:.2f}" if np.isfinite(row["sfa_cost_efficiency"]) else
                                  word("not_applicable", language) + "*"],
    })
    sfa_note = sfa_footnote(diag.frontier.attrs, language) if not np.isfinite(row["sfa_cost_efficiency"]) else ""
    explain = ("数据包络分析（DEA）以CRM成本和员工人数为投入、客户数和营业收入为产出，衡量本机构与同业最佳实践的距离；"
               "随机前沿分析（SFA）以柯布—道格拉斯成本函数估计成本前沿，并将无效率与随机误差区分开。" if language == "zh" else
               "DEA uses CRM cost and employees as inputs and customers and revenue as outputs; SFA fits a Cobb–Douglas cost frontier.")
    n_frontier, group = len(diag.frontier), peer_group_label(diag.peer_group, language)
    explain += (f"效率前沿以样本中全部{n_frontier}家机构为参照集（前沿需要足够宽的参照集），而同业百分位仅与{group}的{diag.peer_count}家机构比较。"
                if language == "zh" else
                f" The frontier is drawn from all {n_frontier} institutions of the panel (a frontier needs a broad reference set), whereas the "
                f"percentiles compare with the {diag.peer_count} institutions of the {group} group.")
    peers = diag.learning_peers
    peer_table = ""
    if len(peers):
        names = diag.panel.latest().data.set_index("institution_id")["name"]
        own_cost = float(peers["own_cost_per_customer"].iloc[0])
        intro = ("标杆机构取自本机构所在同业组中处于或接近效率前沿（θ≥0.95）且优于本机构的机构；"
                 "同业组不足时，补充营业收入在本机构三分之一至三倍之间的其他机构。"
                 f"本机构每客户CRM成本为{own_cost:,.1f}元/年。") if language == "zh" else (
                 f"Peers to learn from are institutions on or near the frontier (θ ≥ 0.95) that do better than this institution, taken from "
                 f"its own peer group first and, when the group has too few, from other groups with revenue between a third and three times "
                 f"its own. This institution's CRM cost per customer is CNY {own_cost:,.1f} a year.")
        peer_table = (f"<h3>{esc(word('peers_to_learn', language))}</h3>" + _p(intro) + table_html(pd.DataFrame({
            word("institution", language): [f"{localised_name(str(names.get(p, p)), g, language)}" + (f"（{p}）" if language == "zh" else f" ({p})")
                                            for p, g in zip(peers["peer"], peers["peer_group"])],
            word("peer_group", language): [peer_group_label(g, language) for g in peers["peer_group"]],
            word("why_comparable", language): [word("basis_peer_group" if b == "peer group" else "basis_size_band", language)
                                               for b in peers["basis"]],
            word("dea_theta", language): [f"{v:.2f}" for v in peers["dea_crs"]],
            word("revenue_vs_own", language): [f"{v:.2f}" for v in peers["revenue_ratio"]],
            word("crm_cost_per_customer", language): [f"{v:,.1f}" for v in peers["cost_per_customer"]],
        })))
    fig = charts.frontier_scores(diag.frontier, inst, language, title("frontier", language))
    chart = figure_html(fig, "frontier", chart_source(diag, "frontier", language))
    return _section("frontier", language, _p(explain) + table_html(metrics) + sfa_note + peer_table + chart)


def sfa_footnote(attrs: dict, language: str) -> str:
    """The footnote under the frontier scores when SFA gives no score: the
    LR test found no significant inefficiency (SFA cannot separate
    inefficiency from noise for this peer set), or the model could not be
    fitted."""
    lr = attrs.get("sfa_lr_statistic", float("nan"))
    if lr is None or not np.isfinite(lr):
        text = ("* 本样本无法估计SFA成本前沿，不给出SFA得分；DEA得分不受影响。" if language == "zh" else
                "* The SFA cost frontier could not be estimated on this panel, so it gives no score; the DEA scores stand.")
    elif language == "zh":
        text = (f"* 对本同业样本，SFA无法区分无效率与随机误差：无效率项的单侧似然比检验不显著（似然比统计量{max(lr, 0.0):.2f}，"
                f"5%临界值{LR_CRITICAL_5PCT:.2f}），各机构的SFA得分都会接近1.00，并不表示达到效率前沿，因此不予列示；DEA得分不受影响。")
    else:
        text = (f"* SFA cannot separate inefficiency from noise for this peer set: the one-sided likelihood-ratio test finds no "
                f"significant inefficiency (LR = {max(lr, 0.0):.2f} against a 5% critical value of {LR_CRITICAL_5PCT:.2f}), so every "
                "institution would score about 1.00, which does not mean it is on the frontier; no SFA score is shown, and the DEA scores "
                "stand.")
    return f'<p class="footnote">{esc(text)}</p>'


def expectations(diag, language: str) -> str:
    table = diag.expectations.dropna(subset=["expected"]) if "expected" in diag.expectations else pd.DataFrame()
    if table.empty:
        return _section("expectations", language, _p("–"))
    catalog = load_catalog().table
    shown = pd.DataFrame({
        word("metric", language): [catalog.at[m, f"label_{language}"] for m in table["metric_id"]],
        word("unit", language): _units(table["metric_id"], language),
        word("value", language): [format_value(v, catalog.at[m, "unit"], catalog.at[m, "decimals"]) for m, v in zip(table["metric_id"],
                                                                                                                    table["value"])],
        word("expected", language): [format_value(v, catalog.at[m, "unit"], catalog.at[m, "decimals"]) for m, v in
                                     zip(table["metric_id"], table["expected"])],
        word("percentile", language): [f"{p:.0f}" for p in table["residual_percentile"]],
    })
    intro = ("以总资产对数和同业组为解释变量，用普通最小二乘法（OLS）回归得到各关键指标在本机构规模下的预期值；"
             "同业百分位衡量实际值与预期值之差在同业中的位置，越高表示相对同规模、同类型机构表现越好。" if language == "zh" else
             "What each key metric should be given the institution's size (log total assets) and peer group, from an OLS regression over "
             "the panel; the percentile ranks the difference from expectation (higher is better).")
    return _section("expectations", language, _p(intro) + table_html(shown))


def gaps(diag, language: str) -> str:
    table = diag.gaps.gaps
    shown_rows = table[table["value_at_stake"].fillna(0) > 0].sort_values("value_at_stake", ascending=False)
    catalog = load_catalog().table
    decimals = catalog["decimals"].to_dict()
    scale = money_scale(shown_rows["value_at_stake"], language)
    shown = pd.DataFrame({
        word("metric", language): shown_rows[f"label_{language}"],
        word("unit", language): _units(shown_rows["metric_id"], language, shown_rows["unit"]),
        word("current", language): [format_value(v, u, decimals.get(m, 0)) for m, v, u in
                                    zip(shown_rows["metric_id"], shown_rows["current"], shown_rows["unit"])],
        word("target", language): [format_value(v, u, decimals.get(m, 0)) for m, v, u in
                                   zip(shown_rows["metric_id"], shown_rows["target"], shown_rows["unit"])],
        money_header("value_at_stake", scale, language): [scale.number(v) + ("" if c else " *") for v, c in
                                                          zip(shown_rows["value_at_stake"], shown_rows["counted"])],
    })
    total = diag.gaps.total_value()
    note = (f"合计（重叠项只计一次，*为不重复计入项）：{scale.amount(total)}/年。" if language == "zh" else
            f"Total, counting overlapping metrics once (* = not added to the total): {scale.amount(total)} a year.")
    if diag.customers is not None:
        note += ("提供客户数据时，留存差距的价值按客户层面模型测算（预计流失客户的年度利润贡献按客户总数放大，乘以留存目标可消除的流失比例），"
                 "面板留存指标不再重复计入。" if language == "zh" else
                 " With a customer extract, the retention value comes from the customer-level model (the annual margin of the customers "
                 "predicted to leave, grossed up from the extract to all customers, times the share of churn the retention targets "
                 "remove); the panel's retention rows are then not added to the total.")
    if diag.sustains_lead:
        note += ("未建议实施项目，故不列CRM成本瀑布图。" if language == "zh" else " No programme is recommended, so there is no CRM cost waterfall.")
        return _section("gaps", language, table_html(shown) + _p(note))
    if not diag.waterfall["kind"].eq("delta").any():
        current = money_m(float(diag.waterfall["amount"].iloc[0]), language)
        note += (f"入选举措均不直接降低CRM成本（现为每年{current}）：项目价值来自收入、留存与效率提升，故不列CRM成本瀑布图。"
                 if language == "zh" else
                 f" None of the programme's initiatives lowers the CRM cost itself ({current} a year): the programme's value comes "
                 "from revenue, retention and productivity, so there is no CRM cost waterfall.")
        return _section("gaps", language, table_html(shown) + _p(note))
    note += ("下图为CRM成本瀑布：仅含入选举措（风险调整后）。" if language == "zh" else
             " The waterfall below shows the CRM cost after the programme's initiatives only (risk-adjusted).")
    fig = charts.waterfall(diag.waterfall, language, title("gaps", language))
    alt = "CRM cost waterfall: " + "; ".join(f"{lbl} {v / 1e6:,.1f}" for lbl, v in zip(diag.waterfall["label"], diag.waterfall["amount"]))
    return _section("gaps", language, table_html(shown) + _p(note) + figure_html(fig, alt, chart_source(diag, "case", language)))


def value_chain(diag, language: str) -> str:
    return _section("value_chain", language, economics.value_chain_section(diag, language))


def initiatives(diag, language: str) -> str:
    table = diag.initiatives
    name = "name_zh" if language == "zh" else "name_en"
    scale = money_scale(pd.concat([table["sequenced_value"], table["one_off_cost"]]), language)
    shown = pd.DataFrame({
        "#": table["rank"], word("initiative", language): table[name], word("category", language): [word(c, language) for c in
                                                                                                     table["category"]],
        money_header("sequenced_value", scale, language): scale.values(table["sequenced_value"]),
        money_header("one_off_cost", scale, language): scale.values(table["one_off_cost"]),
        word("effort", language): table["effort"], word("months", language): table["time_to_value_months"],
    })
    fig = charts.priority_matrix(table, language, title("initiatives", language))
    return _section("initiatives", language, figure_html(fig, "prioritisation matrix", chart_source(diag, "case", language)) + table_html(shown)
                    + economics.programme_block(diag, language))


def business_case(diag, language: str) -> str:
    if diag.sustains_lead:
        from analysis_lib.report.sustain import business_case_body

        return _section("business_case", language, business_case_body(diag, language, _p))
    case = diag.case
    p10, p50, p90 = (float(np.percentile(diag.simulation.npv, q)) for q in (10, 50, 90))
    scale = money_scale([case.npv, case.tco, p10, p90], language)
    times = "倍" if language == "zh" else "×"
    metrics = pd.DataFrame({
        "": [with_unit(word("npv_base", language), scale.unit, language), with_unit(word("npv_p50", language), scale.unit, language),
             with_unit(word("npv_p10_p90", language), scale.unit, language), with_unit(word("irr", language), "%", language),
             with_unit(word("mirr", language), "%", language), word("payback", language), word("discounted_payback", language),
             with_unit(word("roi", language), times + ("，未折现" if language == "zh" else ", undiscounted"), language),
             with_unit(word("bcr", language), times + ("，现值" if language == "zh" else ", present values"), language),
             with_unit(word("tco", language), scale.unit, language)],
        word("value", language): [scale.number(case.npv), scale.number(p50), f"{scale.number(p10)} / {scale.number(p90)}", _pct(case.irr),
                                  _pct(case.mirr), _payback(case.payback_years, case, language),
                                  _payback(case.discounted_payback_years, case, language), _num(case.roi_multiple, 2),
                                  _num(case.benefit_cost_ratio, 2), scale.number(case.tco)],
    })
    scenarios = diag.scenarios
    scen_scale = money_scale(scenarios["npv"], language)
    scen = pd.DataFrame({
        word("scenario", language): [word(s, language) for s in scenarios.index],
        with_unit(word("npv", language), scen_scale.unit, language): scen_scale.values(scenarios["npv"]),
        with_unit(word("irr", language), "%", language): [_pct(v) for v in scenarios["irr"]],
        word("payback", language): [_num(v) for v in scenarios["payback_years"]],
    })
    inputs = diag.case_inputs
    contingency = inputs.total_budget * inputs.build_share * inputs.contingency
    assumptions = (f"投入：不含应急预算的预算{money_m(inputs.total_budget, language)}（其中建设占{percent(inputs.build_share, 0)}），另加应急预算"
                   f"{money_m(contingency, language)}（风险储备{diag.contingency['confidence']}）；风险调整后年收益（全面达产）"
                   f"{money_m(inputs.annual_benefit, language)}×实现率{percent(inputs.benefit_realisation, 0)}，各举措自见效月份起爬坡，"
                   f"折现率{percent(inputs.discount_rate)}。第1年为项目启动后的首12个月；各年现金流（含一次性预算）按年末时点折现；"
                   "投资回收期自项目启动起算，计算时假设各年现金流在年内均匀发生。"
                   if language == "zh" else
                   f"Inputs: budget before contingency {money_m(inputs.total_budget, language)} (build {percent(inputs.build_share, 0)} of it) "
                   f"plus a contingency of "
                   f"{money_m(contingency, language)} (the {diag.contingency['confidence']} risk reserve); risk-adjusted benefit "
                   f"{money_m(inputs.annual_benefit, language)} a year at full run-rate, at {percent(inputs.benefit_realisation, 0)} "
                   f"realisation, each line ramping up from its initiative's months to value; discount rate {percent(inputs.discount_rate)}. "
                   "Year 1 is the first twelve months from kick-off; each year's flows, the one-off budget included, are discounted from "
                   "the year's end, and payback counts from kick-off with each year's flows accruing evenly through the year.")
    mc = (f"蒙特卡洛模拟（{len(diag.simulation.npv):,}次，随机种子{diag.simulation.seed}）：净现值为正的概率"
          f"{percent(diag.simulation.prob_npv_positive, 0)}。" if language == "zh" else
          f"Monte Carlo ({len(diag.simulation.npv):,} draws, seed {diag.simulation.seed}): probability of a positive NPV "
          f"{percent(diag.simulation.prob_npv_positive, 0)}.")
    labels = {**{k: v[language] for k, v in DRIVER_LABELS.items()},
              **{d: economics.driver_label(d, language) for d in diag.tornado["driver"]}}
    mc += " " + economics.median_sentence(diag, language)
    body = (economics.not_recommended_block(diag, language) + economics.plausibility_block(diag, language) + _p(assumptions)
            + economics.benefit_lines_block(diag, language)
            + economics.cost_lines_block(diag, language) + table_html(metrics)
            + figure_html(charts.cash_flows(diag.cash_flows, language, word("cash_flow_chart", language)), "cash flows",
                          chart_source(diag, "case", language))
            + table_html(scen) + figure_html(charts.tornado(economics.tornado_rows(diag), language, "Tornado" if language == "en" else "敏感性分析（龙卷风图）",
                                                            labels), "tornado", chart_source(diag, "case", language))
            + _p(mc) + figure_html(charts.npv_distribution(diag.simulation.npv, language, "Monte Carlo" if language == "en" else "蒙特卡洛模拟",
                                                                      diag.case.npv),
                                   "Monte Carlo", chart_source(diag, "case", language)))
    return _section("business_case", language, body)


def _pct(value: float) -> str:
    """A rate in a column headed "%": the number only, in whole percent as in
    the executive summary (one rounding for a figure everywhere)."""
    return percent(value, 0).removesuffix("%")


def _payback(years: float, case, language: str) -> str:
    """A payback figure, or why there is none when the flows are unconventional."""
    return word("payback_unconventional", language) if case.payback_note and not math.isfinite(years) else _num(years)


def _num(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}" if value is not None and math.isfinite(value) else "–"


def option_value(diag, language: str) -> str:
    o = diag.option
    if language == "zh":
        flexibility = (f"其中灵活性价值{money_m(o['flexibility_value'], language)}。"
                       if o["flexibility_value"] >= 0.005 * max(o["option_value"], 1.0) else
                       "灵活性价值可忽略不计：按基准数据推广已明显合算，" + pilot_purpose(diag, language))
        text = (f"将先试点、后推广视为一项扩张期权，按布莱克—斯科尔斯期权定价模型估值：标的资产为试点后推广收益的现值"
                f"{money_m(o['underlying'], language)}，执行价格为届时仍需投入的成本{money_m(o['strike'], language)}"
                f"（推广阶段占一次性投入及应急预算的{percent(o['rollout_share'], 0)}，加上决策后的运营成本），期限{o['years']:.2f}年，"
                f"波动率{percent(o['volatility'], 0)}（取自蒙特卡洛模拟）。期权价值{money_m(o['option_value'], language)}，" + flexibility)
    else:
        text = (f"Piloting first is an option to expand (Black–Scholes): the underlying is the present value of the benefits after the pilot, "
                f"{money_m(o['underlying'], language)}; the strike is the cost still to pay then, {money_m(o['strike'], language)} (the rollout's "
                f"{percent(o['rollout_share'], 0)} of the one-off budget and contingency plus the running costs after the decision); "
                f"{o['years']:.2f} years to the decision; volatility {percent(o['volatility'], 0)} from the Monte Carlo. The option is worth "
                f"{money_m(o['option_value'], language)}" + (
                    f", of which {money_m(o['flexibility_value'], language)} is the value of the flexibility itself. "
                    if o["flexibility_value"] >= 0.005 * max(o["option_value"], 1.0) else
                    "; the flexibility itself is worth next to nothing: on the base figures the rollout is clearly worth it, "
                    + pilot_purpose(diag, language)))
    return _section("option_value", language, _p(text))


def roadmap(diag, language: str) -> str:
    schedule = diag.schedule
    risk = diag.schedule_risk.summary(target_weeks=schedule.buffered_duration)
    buffer = schedule.buffered_duration - schedule.duration
    text = (f"关键路径工期{schedule.duration:.1f}周，加上{buffer:.1f}周项目缓冲为{schedule.buffered_duration:.1f}周；"
            "按计划评审技术（PERT）对工期不确定性进行蒙特卡洛模拟，"
            f"P50为{risk['p50']:.1f}周、P90为{risk['p90']:.1f}周，按计划（含缓冲）完成的概率为{percent(risk['prob_by_target'], 0)}。"
            if language == "zh" else
            f"The critical path takes {schedule.duration:.1f} weeks, {schedule.buffered_duration:.1f} with a {buffer:.1f}-week project buffer. "
            "With uncertain "
            f"durations (PERT Monte Carlo) the finish is P50 {risk['p50']:.1f} and P90 {risk['p90']:.1f} weeks; the chance of finishing "
            f"within the buffered plan is {percent(risk['prob_by_target'], 0)}.")
    fig = charts.gantt(schedule.tasks, language, title("roadmap", language))
    chart = figure_html(fig, "Gantt", chart_source(diag, "plan", language))
    return _section("roadmap", language, _p(text) + chart + economics.workstreams_block(diag, language))


def risk(diag, language: str) -> str:
    risks = diag.risks.head(6)
    column = "title_zh" if language == "zh" else "title_en"
    scale = money_scale(risks["expected_exposure"], language)
    owner = "owner_zh" if language == "zh" and "owner_zh" in risks else "owner"
    shown = pd.DataFrame({
        word("risk", language): risks[column], word("risk_score", language): risks["score"],
        money_header("exposure", scale, language): scale.values(risks["expected_exposure"]),
        word("response", language): [response_label(r, language) for r in risks["response"]], word("owner", language): risks[owner],
    })
    c = diag.contingency
    text = (f"对风险登记册进行蒙特卡洛模拟：应急预算P50为{money_m(c['p50'], language)}（预算的{percent(c['p50_share'], 0)}），P80为"
            f"{money_m(c['p80'], language)}（{percent(c['p80_share'], 0)}），对比方法模板15–20%的经验值"
            f"（{money_m(c['template_low'], language)}至{money_m(c['template_high'], language)}）。" if language == "zh" else
            f"Monte Carlo on the risk register: a P50 reserve of {money_m(c['p50'], language)} ({percent(c['p50_share'], 0)} of the budget) "
            f"and a P80 reserve of {money_m(c['p80'], language)} ({percent(c['p80_share'], 0)}), against the template's 15–20% rule "
            f"({money_m(c['template_low'], language)} to {money_m(c['template_high'], language)}).")
    text += (f"商业论证的应急预算取{c['confidence']}储备：{money_m(c['carried'], language)}。" if language == "zh" else
             f" The business case carries the {c['confidence']} reserve, {money_m(c['carried'], language)}, as its contingency.")
    fig = charts.risk_heat_map(diag.heat_map, language, title("risk", language))
    top = (f"下表列出风险登记册{len(diag.risks)}项风险中得分最高的{len(risks)}项（热力图包含全部风险）。" if language == "zh" else
           f"The table lists the {len(risks)} highest-scoring of the {len(diag.risks)} risks in the register (the heat map shows all).")
    fitted = diag.risks[diag.risks.get("fit_note_en", pd.Series("", index=diag.risks.index)).astype(str) != ""]
    if len(fitted):
        notes = "；".join(f"{r['title_zh']}（{r['fit_note_zh'].rstrip('。')}）" for _, r in fitted.iterrows()) if language == "zh" else \
            "; ".join(f"{mid_sentence(r['title_en'])} ({mid_sentence(r['fit_note_en']).rstrip('.')})"
                      for _, r in fitted.iterrows())
        top += (f"以下风险的发生概率按本项目范围与机构规模上调一级：{notes}。" if language == "zh" else
                f" Fitted to this programme and institution, these risks are one step likelier: {notes}.")
    chart = figure_html(fig, "heat map", chart_source(diag, "plan", language))
    return _section("risk", language, chart + _p(text) + _p(top) + table_html(shown))


def _driver_table(model, language: str) -> pd.DataFrame:
    from analysis_lib.customers.churn_model import MIN_EFFECT

    table = model.driver_table
    zh = language == "zh"

    def shown(row) -> str:
        if max(abs(row["raw_difference"]), abs(row["model_difference"])) < MIN_EFFECT:
            return word("both_small", language)
        if not row["agrees"]:
            return word("no_disagrees", language)
        return word("yes", language) if abs(row["model_difference"]) >= MIN_EFFECT else word("no_small", language)

    return pd.DataFrame({
        word("driver_feature", language): table["feature_zh" if zh else "feature"],
        word("driver_groups", language): [f"{r['low_zh'] if zh else r['low']} → {r['high_zh'] if zh else r['high']}"
                                          for _, r in table.iterrows()],
        word("raw_churn", language): [f"{r['raw_low'] * 100:.1f} → {r['raw_high'] * 100:.1f}" for _, r in table.iterrows()],
        word("raw_difference", language): [f"{round(v * 100, 1) + 0.0:+.1f}" for v in table["raw_difference"]],
        word("model_difference", language): [f"{round(v * 100, 1) + 0.0:+.1f}" for v in table["model_difference"]],
        word("driver_shown", language): [shown(r) for _, r in table.iterrows()],
    })


def customers(diag, language: str) -> str:
    c = diag.customers
    if c is None:
        return ""
    model = c["model"]
    segments = c["segments"]
    seg = pd.DataFrame({
        word("segment", language): [word(q, language) for q in segments.index],
        word("customers", language): [f"{n:,}" for n in segments["customers"]],
        word("mean_clv_cny", language): [f"{v:,.0f}" if np.isfinite(v) else "–" for v in segments["mean_clv"]],
        word("clv_at_risk_cny", language): [f"{v:,.0f}" for v in segments["clv_at_risk"]],
    })
    drivers = model.drivers(top=4, language=language)
    low, high = model.auc_interval
    churn = percent(float(c["overall"]["churn_rate"].iloc[0]))
    book = word(f"book_{c['book_type']}", language)
    notes = "; ".join(c["notes"])
    text = (f"{c['customers']:,}名客户，整体流失率{churn}；流失预警模型（带岭惩罚的逻辑回归，按交叉验证选择惩罚系数）"
            f"在留出样本上的模型区分度（曲线下面积，AUC）为"
            f"{model.auc:.2f}（95%自助法区间{low:.2f}–{high:.2f}），风险最高的10%客户的提升度为{model.deciles.loc[1, 'lift']:.1f}倍，"
            f"校准斜率{model.calibration['slope']:.2f}。客户价值按{book}的利润模型计算（{economics.extract_notes_zh(c['notes'])}），"
            f"按客户总数放大{c['scale']:,.0f}倍计入价值空间。下列结论仅保留模型与实际流失率方向一致的因素。"
            if language == "zh" else
            f"{c['customers']:,} customers; churn {churn}. The early-warning model (L2-penalised logistic regression, penalty chosen by "
            f"cross-validation) reaches an AUC (area under the ROC curve) of {model.auc:.2f} on held-out customers "
            f"(95% bootstrap interval {low:.2f}–{high:.2f}); "
            f"the riskiest decile has a lift of {model.deciles.loc[1, 'lift']:.1f} and the calibration slope is "
            f"{model.calibration['slope']:.2f}. Value uses the margin model of a {book} book. {notes[:1].upper() + notes[1:]}. "
            f"The extract is grossed up {c['scale']:,.0f} times to the whole book in the value at stake. A driver is stated only "
            "when the model and the raw churn rates agree in direction.")
    fig = charts.retention_curve(c["km"], c["by_products"], language, title("customers", language)) if c["km"] is not None else None
    items = "".join(f"<li>{esc(d)}</li>" for d in drivers)
    warnings = "".join(f"<li>{esc(n)}</li>" for n in c["warnings_zh" if language == "zh" else "warnings"])
    notes_html = f'<ul class="notes">{warnings}</ul>' if warnings else ""
    drivers_html = table_html(_driver_table(model, language)) if not model.driver_table.empty else ""
    return _section("customers", language, _p(text) + f"<ul>{items}</ul>" + table_html(seg)
                    + (figure_html(fig, "retention", chart_source(diag, "extract", language)) if fig else "") + drivers_html + notes_html)


def data_quality(diag, language: str) -> str:
    q = diag.quality
    shown = pd.DataFrame({"": [word(k, language) for k in ("completeness", "consistency", "accuracy", "overall")],
                          word("score", language): [f"{q[k]:.0f}" for k in ("completeness", "consistency", "accuracy", "overall")]})
    own = [p for p in diag.validation.problems if p.row is not None]
    data = diag.panel.data
    rows_of = set(data.loc[data["institution_id"] == diag.institution_id, "source_row"])
    mine = [p for p in own if p.row in rows_of]
    if language == "zh":
        catalog = load_catalog()
        listing = "".join(f"<li>{esc(problem_zh(p.code, p.row, _column_zh(p.column, catalog), p.value))}</li>" for p in mine[:15])
    else:
        listing = "".join(f"<li>{esc(p.message)}{' (' + esc(p.column) + ')' if p.column else ''}</li>" for p in mine[:15])
    consistency = economics.consistency_block(diag, language)
    if mine:
        text = (f"校验文件：{diag.validation.file}；该机构数据的校验提示{len(mine)}条：" if language == "zh" else
                f"Validated file: {diag.validation.file}; intake notes on this institution's rows ({len(mine)}):")
    elif consistency:
        text = (f"校验文件：{diag.validation.file}；该机构数据通过了逐项格式与取值范围校验（一致性校验结果见下）。" if language == "zh" else
                f"Validated file: {diag.validation.file}; this institution's rows passed every format and range check (the "
                "consistency rules follow below).")
    else:
        text = (f"校验文件：{diag.validation.file}；该机构数据通过了逐项格式、取值范围与一致性校验。" if language == "zh" else
                f"Validated file: {diag.validation.file}; this institution's rows passed every format, range and consistency check.")
    return _section("data_quality", language, table_html(shown) + _p(text) + (f"<ul>{listing}</ul>" if listing else "") + consistency)


def _without_flag(note: str) -> str:
    """A conflict note without the workbook's ``CONFLICT:`` flag (the report
    introduces the list as conflicts), its first letter capitalised.

    Examples
    --------
    >>> _without_flag("CONFLICT: the template states 8.7%.")
    'The template states 8.7%.'
    >>> _without_flag("与公开数据冲突：方法模板称8.7%。")
    '方法模板称8.7%。'
    """
    text = re.sub(r"^(CONFLICT:\s*|与公开数据冲突：)", "", str(note))
    return text[:1].upper() + text[1:]


def _source_for_client(source: str) -> str:
    """A baseline's source as the client reads it: the note it rests on,
    not the workbook file that documents the note.

    Examples
    --------
    >>> _source_for_client("Workbook assumption (see data/SOURCES.md, A1)")
    'Workbook assumption (source note A1)'
    >>> _source_for_client("方法模板（见数据来源说明T1）")
    '方法模板（来源说明T1）'
    """
    source = re.sub(r"\(see data/SOURCES\.md,\s*([A-Z]\d+)\)", r"(source note \1)", str(source))
    return re.sub(r"（见(?:data/SOURCES\.md|数据来源说明)[，,]?\s*([A-Z]\d+)）", r"（来源说明\1）", source)


def _column_zh(column: str | None, catalog) -> str:
    """A column of the client's file by its Chinese catalog label when it names a metric."""
    if not column:
        return ""
    table = catalog.table
    for metric, row in table.iterrows():
        if column in (metric, row["label_en"], row["label_zh"]):
            return str(row["label_zh"])
    return column


def methodology(diag, language: str) -> str:
    baselines = load_baselines()
    group = diag.peer_group if diag.peer_group in baselines.index.get_level_values(0) else "all_banks"
    catalog = load_catalog().table
    table = baselines.loc[group].reindex(catalog.index)
    shown = pd.DataFrame({
        word("metric", language): [catalog.at[m, f"label_{language}"] for m in table.index],
        word("unit", language): _units(table.index, language),
        word("quantiles", language): [" / ".join(format_value(table.at[m, c], catalog.at[m, "unit"], catalog.at[m, "decimals"])
                                       for c in ("p25", "p50", "p75")) for m in table.index],
        word("source", language): table["source_zh" if language == "zh" else "source"].map(_source_for_client),
        word("year", language): table["year"],
        word("confidence", language): [word(c, language) for c in table["confidence"]],
    })
    conflicts = baselines[baselines["note"].str.contains("CONFLICT", na=False)].xs(group, level="peer_group", drop_level=False)
    note = "note_zh" if language == "zh" else "note"
    by_note: dict[str, list[str]] = {}  # metrics sharing one note (the two acquisition costs) listed once
    for (_, metric), text in conflicts[note].items():
        by_note.setdefault(_without_flag(text), []).append(catalog.at[metric, f"label_{language}"])
    notes = "".join(f"<li><b>{esc(('、' if language == 'zh' else '; ').join(labels))}</b>{'：' if language == 'zh' else ': '}{esc(text)}</li>"
                    for text, labels in by_note.items())
    text = ("方法：同业百分位在同业组报送该指标的机构不少于10家时按样本分布计算，否则按基准分位数插值；六维综合得分为各维度等权平均；"
            "数据包络分析采用规模报酬不变与可变两种模型，以线性规划求解；随机前沿分析采用柯布—道格拉斯成本函数，以极大似然法估计；"
            "价值空间按价值驱动因素表中的公式测算；净现值计算中第1年为项目启动后的首12个月，各年现金流按年末时点以折现率折现。"
            "各指标的基准及来源如下，方法模板中与公开数据冲突的数字已逐项说明："
            if language == "zh" else
            "Method: peer percentiles (from the panel when at least 10 peers report a metric, otherwise interpolated from the baseline "
            "quantiles); six-dimension composite as equal-weighted means; DEA (CCR/BCC, HiGHS); SFA (Cobb–Douglas, maximum likelihood); "
            "value at stake from the formulas of the workbook's value-driver table; NPV with year 1 the first twelve months from kick-off "
            "and each year's flows discounted from its end. Baselines and their "
            "sources follow; template figures that conflict with public data are flagged:")
    return _section("methodology", language, economics.methodology_block(diag, language) + _p(text) + f'<ul class="conflicts">{notes}</ul>'
                    + table_html(shown, "small long"))


def glossary(diag, language: str) -> str:
    """The terms the report uses, with their definitions (``data/glossary.csv``)."""
    table = load_glossary()
    zh = language == "zh"
    names = [f"{t}（{a}）" if zh and a else f"{t} ({a})" if a else t for t, a in zip(table[language], table["abbreviation"])]
    shown = pd.DataFrame({word("term", language): names, word("definition", language): table[f"definition_{language}"]})
    return _section("glossary", language, table_html(shown, "small glossary"))


def reproducibility(diag, language: str) -> str:
    stamp = diag.stamp
    rows = [(word("input_file", language), stamp["input_file"]), (word("input_hash", language), stamp["input_sha256"]),
            (word("seed", language), stamp["seed"]), (word("run_started", language), stamp["run_started_utc"])]
    rows += [(word("version", language, name="Python" if k == "python" else k), v) for k, v in stamp["versions"].items()]
    params = {k: v for k, v in stamp["parameters"].items() if k not in ("panel_path", "customer_extract", "customer_mapping", "commentary", "exports")}
    params["peer_group"] = params.get("peer_group") or diag.peer_group  # the group compared with (its own unless one was chosen)
    rows += _parameter_rows({k: v for k, v in params.items() if k != "seed"}, language)
    body = "".join(f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in rows)
    return _section("reproducibility", language, f'<table class="report-table stamp">{body}</table>')


def _parameter_rows(params: dict, language: str) -> list[tuple[str, object]]:
    """The run parameters, labelled in the report's language."""
    labels = {"institution_id": word("institution", language), "peer_group": word("peer_group", language),
              "target_set": word("target_set", language), "discount_rate": word("discount_rate", language),
              "horizon_years": word("horizon", language), "scenario": word("scenario", language), "language": word("language", language),
              "seed": word("seed", language), "mc_draws": word("mc_draws", language), "prepared_by": word("prepared_by", language)}
    values = {"peer_group": lambda v: peer_group_label(v, language) if v else "–", "target_set": lambda v: target_set_label(v, language),
              "discount_rate": percent, "horizon_years": lambda v: word("years_n", language, n=v),
              "scenario": lambda v: word(v, language) if v in ("base", "pessimistic", "optimistic") else v,
              "language": lambda v: "中文" if v == "zh" else "English",
              "prepared_by": lambda v: v or word("engagement_team", language)}
    return [(labels.get(k, k), values.get(k, lambda v: v)(v)) for k, v in sorted(params.items())]


SECTIONS = {
    "cover": cover, "executive_summary": executive_summary, "scorecard": scorecard, "positioning": positioning, "frontier": frontier,
    "expectations": expectations, "gaps": gaps, "value_chain": value_chain,
    "initiatives": initiatives, "business_case": business_case, "option_value": option_value,
    "roadmap": roadmap, "risk": risk, "customers": customers, "data_quality": data_quality, "methodology": methodology,
    "glossary": glossary, "reproducibility": reproducibility,
}


def section_registry() -> dict:
    """Every section's renderer by key: this module's and the sections on
    running the programme (:mod:`analysis_lib.report.programme_sections`,
    which builds on this module's helpers) and "Sustaining the lead"
    (:mod:`analysis_lib.report.sustain`). The order is
    :data:`SECTION_ORDER`."""
    from analysis_lib.report import programme_sections

    return {**SECTIONS, **programme_sections.SECTIONS, "sustain": sustain}


def sustain(diag, language: str) -> str:
    """Sustaining the lead: the watch-list of a leader without a programme
    (:mod:`analysis_lib.report.sustain`)."""
    from analysis_lib.report.sustain import section_body

    return _section("sustain", language, section_body(diag, language, _p, table_html))


def section_html(diag, key: str) -> str:
    """HTML of one section in the diagnostic's language."""
    registry = section_registry()
    if key not in registry:
        raise KeyError(f"unknown section {key!r}; sections are {', '.join(SECTION_ORDER)}")
    from analysis_lib.report.sustain import applies

    if not applies(diag, key):
        return ""  # a delivery section without a programme, or "Sustaining the lead" with one
    from analysis_lib.report.commentary import with_commentary
    from analysis_lib.report.deck import kept_for_deck

    def render() -> str:
        body = registry[key](diag, diag.language)
        takeaway = action_title(diag, key)
        if takeaway and "</h2>" in body:
            body = body.replace("</h2>", f'</h2><p class="action-title">{esc(takeaway)}</p>', 1)
        return with_commentary(body, diag, key)

    return kept_for_deck(diag, key, render)


def show(diag, *keys: str):
    """Display sections in a notebook, in the order given (one
    ``IPython.display.HTML``; ``None``, so the cell shows nothing, when
    none of them applies to the institution).

    Examples
    --------
    >>> from analysis_lib.report.diagnostic import run_diagnostic
    >>> diag = run_diagnostic(institution_id="CITY-01", mc_draws=1000)
    >>> show(diag, "cover", "executive_summary").data.count('<section class="report-section')
    2
    """
    from IPython.display import HTML

    body = "".join(section_html(diag, key) for key in keys)
    return HTML(body) if body else None  # no section of the part applies (no customer extract; no programme to deliver): no output
