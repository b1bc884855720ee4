"""The portfolio summary as HTML sections, in English or Chinese, built from
a :class:`~analysis_lib.batch.portfolio.Portfolio`. The notebook
``portfolio_summary.ipynb`` shows them with ``show(portfolio, "section")``;
nbconvert and Chromium turn it into HTML and PDF as for the client report.

Each section opens with an action title (what it found), not a topic; every
money column names its unit; every chart has a source line; a ranking never
runs to more than :data:`~analysis_lib.batch.portfolio.LIST_LIMIT` rows.
Every text that comes from data is HTML-escaped.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from analysis_lib.batch import portfolio_charts
from analysis_lib.batch.portfolio import (
    CLUSTER_K,
    CLUSTER_MIN,
    LIST_ENDS,
    LIST_LIMIT,
    MIN_DATA_QUALITY,
    MIN_PUBLIC_SHARE,
    SCORE_COLUMNS,
    SUMMARY_FIELDS,
    TOP_SHARE,
    WAVE_COVER,
    WAVE_MAX,
    Portfolio,
    by_peer_group,
    cluster_traits,
    clusters,
    concentration,
    first_wave,
    productivity_across,
    ranking,
    summary_frame,
    unknowns,
)
from analysis_lib.batch.portfolio_text import heading, t, verdict_label, verdict_text
from analysis_lib.reference.catalog import DIMENSIONS
from analysis_lib.reference.sample import localised_name
from analysis_lib.report.rendering import esc, figure_html
from analysis_lib.report.text import abbreviations, check_language, dimension_label, load_glossary, money_m, money_scale, peer_group_label, percent

SECTION_ORDER = ("cover", "summary", "first_wave", "matrix", "peer_groups", "clusters", "rankings", "productivity", "unknowns", "method")
"""The portfolio summary's sections, in order (the notebook has one cell each)."""
REVIEW_SECTIONS = ("cover", "summary", "rankings", "unknowns")
"""The sections a batch of progress reviews shows (the others are empty)."""
CLUSTER_SEED = 0
NEXT_CANDIDATES = 5
"""Candidates after the first wave listed on its page (at least three, fewer
when the wave is long: the page holds :data:`PAGE_ROWS` rows)."""
PAGE_ROWS = 13
STYLE = """<style>
.portfolio .kicker { font-size: 9pt; text-transform: uppercase; letter-spacing: 0.08em; color: #5B6673; margin: 0 0 2px; }
html:lang(zh-CN) .portfolio .kicker { text-transform: none; letter-spacing: 0.1em; }
.portfolio h2 { font-size: 14pt; line-height: 1.3; }
.portfolio .verdict { border-left: 5px solid #0072B2; background: #EEF5FB; padding: 8px 14px; margin: 8px 0 14px; }
.portfolio .verdict-headline { font-size: 12pt; font-weight: 600; margin: 2px 0 6px; }
.portfolio .rule, .portfolio .source { font-size: 8pt; color: #5B6673; }
.portfolio .source { margin-top: -10px; }
.portfolio ul.unknowns li { margin-bottom: 4px; }
.portfolio table.report-table td.num, .portfolio table.report-table th.num { text-align: right; }
.portfolio table.report-table tr.total td { font-weight: 700; border-top: 2px solid #1F2A36; }
.portfolio table.ranked td:nth-child(2), .portfolio table.report-table td.nw { white-space: nowrap; }
.portfolio.section-portfolio-method { break-inside: avoid; page-break-inside: avoid; }
.portfolio table.wave td:nth-child(2) { min-width: 42mm; }
@media print { .portfolio.report-section { margin-bottom: 0; } }
html:lang(zh-CN) .portfolio .verdict-headline, html:lang(zh-CN) .portfolio tr.total td, html:lang(zh-CN) .portfolio h3 { font-weight: 400; }
@media print { .portfolio.keep-with-previous { break-before: auto; page-break-before: auto; margin-top: 24px; } }
</style>"""


# ------------------------------------------------------------------ helpers


def _table(frame: pd.DataFrame, numeric: tuple[str, ...] = (), css: str = "small", total: bool = False, nowrap: tuple[str, ...] = ()) -> str:
    """A table with the ``numeric`` columns right-aligned and the
    ``nowrap`` columns on one line (every cell escaped; a Chinese header's
    bracketed unit kept on one line); with ``total`` the last row is set as
    a total row."""
    def cls(column) -> str:
        names = [n for n, hit in (("num", column in numeric), ("nw", column in nowrap)) if hit]
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(f"<th{cls(c)}>{_unit_together(esc(c))}</th>" for c in frame.columns)
    rows = []
    for number, row in enumerate(frame.itertuples(index=False), start=1):
        css_row = ' class="total"' if total and number == len(frame) else ""
        rows.append(f"<tr{css_row}>" + "".join(f"<td{cls(c)}>{esc(v)}</td>" for c, v in zip(frame.columns, row)) + "</tr>")
    return f'<table class="report-table {css}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _unit_together(header: str) -> str:
    """Keep a Chinese header's bracketed unit on one line: 价值空间（亿元/年）."""
    return re.sub("（[^（）<]*）", lambda m: f'<span class="term">{m.group(0)}</span>', header)


def _money(value: float, language: str) -> str:
    """An amount in prose: CNY m, or CNY bn from CNY 10bn, in English; 万元 or 亿元 in Chinese."""
    if language == "en" and value is not None and math.isfinite(value) and abs(value) >= 1e10:
        return f"CNY {value / 1e9:,.1f}bn"
    return money_m(value, language)


def _p(text: str, css: str = "") -> str:
    return f'<p class="{css}">{esc(text)}</p>' if css else f"<p>{esc(text)}</p>"


def _section(key: str, language: str, title: str, body: str, css: str = "") -> str:
    return (f'<section class="report-section portfolio section-portfolio-{key} {css}" id="{key}">'
            f'<p class="kicker">{esc(heading(key, language))}</p><h2>{esc(title)}</h2>{body}</section>')


def _source(portfolio: Portfolio, language: str, what: str | None = None) -> str:
    run = portfolio.run_dir.name
    what = what or t("source_summaries", language, run=run, n=len(portfolio.summaries))
    return _p(t("source", language, what=what), "source")


def _name(summaries: pd.DataFrame, institution_id: str, language: str) -> str:
    """``Name (ID)``, the sample's synthetic names in the report's language."""
    name = summaries.at[institution_id, "name"] if institution_id in summaries.index else None
    group = summaries.at[institution_id, "peer_group"] if institution_id in summaries.index else ""
    if not (isinstance(name, str) and name):
        return str(institution_id)
    shown = localised_name(name, str(group), language)
    return f"{shown}（{institution_id}）" if language == "zh" else f"{shown} ({institution_id})"


def _short(summaries: pd.DataFrame, institution_id: str, language: str) -> str:
    """The name alone (for titles); the id when there is none."""
    name = summaries.at[institution_id, "name"] if institution_id in summaries.index else None
    return localised_name(name, str(summaries.at[institution_id, "peer_group"]), language) if isinstance(name, str) and name \
        else str(institution_id)


def _completion(totals: dict, language: str) -> str:
    """How many reports completed, in words."""
    if totals["failed"] == 0 and totals["complete"] == totals["institutions"]:
        return t("all_complete", language, n=totals["institutions"])
    return t("complete_of", language, n=totals["institutions"], complete=totals["complete"], failed=totals["failed"])


def _share(value: float) -> str:
    return percent(value, 0)


def _score(value: float) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.0f}"


def _pct(value: float) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.0f}"


def _listing(ids: list[str], language: str, shown: int = 6) -> str:
    joiner = "、" if language == "zh" else ", "
    text = joiner.join(ids[:shown])
    if len(ids) > shown:
        text += ("" if language == "zh" else ", ") + t("and_more", language, n=len(ids) - shown)
    return text


def _results(portfolio: Portfolio) -> dict:
    """The portfolio's results, computed once per portfolio object and
    reused by every section."""
    cache = _RESULTS.get(id(portfolio))
    if cache is not None and cache[0] is portfolio:
        return cache[1]
    wave = first_wave(portfolio)
    results = {"wave": wave, "vas": concentration(portfolio.summaries["value_at_stake"].rename("value_at_stake")),
               "groups": by_peer_group(portfolio, wave), "unknowns": unknowns(portfolio), "clusters": clusters(portfolio, CLUSTER_SEED)}
    _RESULTS.clear()
    _RESULTS[id(portfolio)] = (portfolio, results)
    return results


_RESULTS: dict[int, tuple[Portfolio, dict]] = {}


# ------------------------------------------------------------------ sections


def cover(portfolio: Portfolio, language: str) -> str:
    zh = language == "zh"
    totals = portfolio.totals()
    groups = portfolio.summaries["peer_group"].dropna().nunique()
    panel = str(portfolio.record.get("panel", "")).rsplit("/", 1)[-1]
    created = str(portfolio.record.get("created", ""))[:10]
    title_key = "review_cover" if portfolio.kind == "review" else "cover"
    rows = [(t("run", language), portfolio.run_dir.name), (t("reports_complete", language), _completion(totals, language))]
    if panel:
        rows.append((t("panel", language), panel))
    if created:
        rows.append(("日期" if zh else "Date", created))
    facts = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    english = dict(zip(load_glossary()["abbreviation"], load_glossary()["en"]))
    used = [a for a in ("CRM", "NPV", "IRR", "DEA", "KPI") if a in abbreviations()]
    joiner = "；" if zh else "; "
    terms = joiner.join(f"{a}指{abbreviations()[a]}" if zh else f"{a} {english[a][0].lower()}{english[a][1:]}" for a in used)
    legend = ("释义：" if zh else "Abbreviations: ") + terms + ("。" if zh else ".")
    body = (f'<div class="cover"><h1>{esc(heading(title_key, language))}</h1>'
            f'<p class="cover-name">{esc(t("institutions_in_groups", language, n=totals["institutions"], groups=groups))}</p>'
            f'<table class="cover-facts">{facts}</table><p class="abbreviations">{esc(legend)}</p>'
            f'<p class="confidential">{esc("保密" if zh else "Confidential")}</p></div>')
    return f'{STYLE}<section class="report-section section-cover portfolio" id="cover">{body}</section>'


def _verdict(portfolio: Portfolio, language: str) -> tuple[str, str]:
    """The portfolio's headline and the decision requested."""
    fw = _results(portfolio)["wave"]
    wave, after = fw.wave, fw.after_fix
    if portfolio.summaries.empty:
        return t("verdict_empty", language), ""
    if wave.empty and after.empty:
        return t("verdict_none", language), t("decision_none", language)
    later = t("verdict_after_fix", language, m=len(after), benefit=_money(after["risk_adjusted_benefit"].sum(), language)) if len(after) else ""
    if wave.empty:
        return (t("verdict_data_first", language, m=len(after), benefit=_money(after["risk_adjusted_benefit"].sum(), language)),
                t("decision_data_first", language, m=len(after)))
    headline = t("verdict_wave", language, n=len(wave), share=_share(fw.share_of_ready),
                 benefit=_money(wave["risk_adjusted_benefit"].sum(), language)) + later
    decision = t("decision_wave", language, n=len(wave), cost=_money(wave["programme_cost"].sum(), language),
                 npv=_money(wave["npv"].sum(), language))
    if len(after):
        decision += t("decision_and_fix", language, m=len(after))
    return headline, decision + ("。" if language == "zh" else ".")


def summary(portfolio: Portfolio, language: str) -> str:
    if portfolio.kind == "review":
        return review_summary(portfolio, language)
    r = _results(portfolio)
    totals = portfolio.totals()
    headline, decision = _verdict(portfolio, language)
    rule = _p(t("rule", language, cover=_share(WAVE_COVER), max=WAVE_MAX), "rule") if len(portfolio.summaries) else ""
    verdict = f'<div class="verdict"><p class="verdict-headline">{esc(headline)}</p>{_p(decision) if decision else ""}{rule}</div>'

    body = verdict + _p(_completion(totals, language) + ("。" if language == "zh" else "."))
    if not portfolio.summaries.empty:
        vas = r["vas"]
        body += _p(t("totals_sentence", language, n=totals["complete"], vas=_money(totals["value_at_stake"], language),
                     rab=_money(totals["risk_adjusted_benefit"], language), positive=totals["npv_positive"]))
        body += _p(t("concentration", language, top=_share(TOP_SHARE), count=vas.top_count, n=totals["complete"], share=_share(vas.top_share),
                     half=vas.half_count))
        body += f"<h3>{esc(t('by_peer_group', language))}</h3>" + _group_table(r["groups"], language)
    body += f"<h3>{esc(t('not_known', language))}</h3>" + _unknown_list(portfolio, language)
    return _section("summary", language, _summary_title(portfolio, language), body)


def _summary_title(portfolio: Portfolio, language: str) -> str:
    """The executive summary's action title: where the value is and where to start."""
    r = _results(portfolio)
    if portfolio.summaries.empty:
        return t("verdict_empty", language)
    vas, wave, after = r["vas"], r["wave"].wave, r["wave"].after_fix
    key = "summary_title" if len(wave) else "summary_title_data_first" if len(after) else "summary_title_none"
    return t(key, language, top=_share(TOP_SHARE), share=_share(vas.top_share), n=len(wave), m=len(after))


def _group_table(groups: pd.DataFrame, language: str) -> str:
    scale = money_scale(np.r_[groups["value_at_stake"], groups["npv_positive"]], language)
    names = [t("total", language) if g == "total" else peer_group_label(str(g), language) for g in groups.index]
    table = pd.DataFrame({
        t("peer_group", language): names, t("institutions", language): groups["institutions"].astype(int).astype(str),
        t("value_at_stake", language, unit=scale.unit): scale.values(groups["value_at_stake"]),
        t("risk_adjusted_benefit", language, unit=scale.unit): scale.values(groups["risk_adjusted_benefit"]),
        t("npv_positive", language, unit=scale.unit): scale.values(groups["npv_positive"]),
        t("median_score", language): [_score(v) for v in groups["median_score"]],
        t("candidates", language): groups["candidates"].astype(int).astype(str),
        t("first_wave_n", language): groups["first_wave"].astype(int).astype(str),
    })
    return _table(table, tuple(table.columns[1:]), total=True)


def _unknown_list(portfolio: Portfolio, language: str) -> str:
    u = _results(portfolio)["unknowns"]
    n = len(portfolio.manifest)
    complete = len(portfolio.summaries)
    items = []
    if u.failed:
        items.append(t("unknown_failed", language, n=len(u.failed), total=n))
    causes = [t(key, language, n=len(ids), limit=f"{MIN_DATA_QUALITY:.0f}") for key, ids in
              (("cause_incomplete", u.incomplete), ("cause_quality", u.poor_data), ("cause_inconsistent", u.inconsistent),
               ("cause_implausible", u.implausible)) if ids]
    if causes:
        items.append(t("unknown_not_decision_grade", language, share=_share(u.value_share_not_decision_grade),
                       causes=("；" if language == "zh" else "; ").join(causes)))
    if u.assumed_baselines:
        key = "unknown_baselines_all" if len(u.assumed_baselines) == complete else "unknown_baselines"
        items.append(t(key, language, n=len(u.assumed_baselines), total=complete, limit=_share(MIN_PUBLIC_SHARE)))
    if u.synthetic_peers:
        items.append(t("unknown_synthetic", language, n=len(u.synthetic_peers)))
    if not items:
        items.append(t("unknown_none", language))
    return '<ul class="unknowns">' + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _institution_table(frame: pd.DataFrame, summaries: pd.DataFrame, language: str, rank_column: str | None = "rank",
                       amounts: pd.DataFrame | None = None, verdicts: pd.DataFrame | None = None) -> str:
    """Institutions with their key figures, in one money unit chosen from
    ``amounts`` (default: this table's own amounts; pass the rows of every
    table of a page so that they share a unit)."""
    amounts = frame if amounts is None else amounts
    scale = money_scale(np.r_[amounts["value_at_stake"], amounts["risk_adjusted_benefit"], amounts["npv"]], language)
    columns = {}
    if rank_column:
        columns[t("rank", language)] = frame[rank_column].astype(int).astype(str)
    columns.update({
        t("institution", language): [_name(summaries, i, language) for i in frame.index],
        t("peer_group", language): [peer_group_label(str(g), language) for g in frame["peer_group"]],
        t("value_at_stake", language, unit=scale.unit): scale.values(frame["value_at_stake"]),
        t("risk_adjusted_benefit", language, unit=scale.unit): scale.values(frame["risk_adjusted_benefit"]),
        t("npv", language, unit=scale.unit): scale.values(frame["npv"]),
        t("prob", language): [_pct(v) for v in frame["prob_npv_positive"]],
        t("data_quality", language): [_score(v) for v in frame["data_quality"]],
    })
    if verdicts is None:
        recs = summaries.get("recommendation", pd.Series(index=summaries.index, dtype=object))
        verdicts = pd.DataFrame({"verdict": [r.get("verdict", "") if isinstance(r, dict) else "" for r in recs],
                                 "economic_verdict": [r.get("economic_verdict", "") if isinstance(r, dict) else "" for r in recs]},
                                index=summaries.index)
    columns[t("verdict", language)] = [verdict_text(verdicts.at[i, "verdict"], verdicts.at[i, "economic_verdict"], language)
                                       if i in verdicts.index else "–" for i in frame.index]
    numeric = tuple(c for c in columns if c not in (t("institution", language), t("peer_group", language), t("verdict", language)))
    nowrap = (t("peer_group", language), t("verdict", language)) if language == "zh" else (t("peer_group", language),)  # short in Chinese
    return _table(pd.DataFrame(columns), numeric, "small wave", nowrap=nowrap)


def first_wave_section(portfolio: Portfolio, language: str) -> str:
    if portfolio.kind == "review" or portfolio.summaries.empty:
        return ""
    fw = _results(portfolio)["wave"]
    wave = fw.wave
    shown_next = max(3, min(NEXT_CANDIDATES, PAGE_ROWS - len(wave)))
    rest = fw.candidates[~fw.candidates["in_wave"]].sort_values(["priority", "rank"], ascending=[False, True], kind="stable").head(shown_next)
    rest = rest.assign(rank=np.arange(len(wave) + 1, len(wave) + len(rest) + 1))  # numbered on from the wave, in the order shown
    s = portfolio.summaries
    rule = _p(t("rule", language, cover=_share(WAVE_COVER), max=WAVE_MAX), "rule")
    if fw.candidates.empty:
        largest = s.sort_values("value_at_stake", ascending=False, kind="stable").head(LIST_ENDS)
        body = rule + f"<h3>{esc(t('largest_no_case', language))}</h3>" + _institution_table(largest, s, language, rank_column=None)
        return _section("first_wave", language, t("wave_title_none", language), body + _source(portfolio, language))
    shown = pd.concat([wave, rest])
    if len(wave):
        title = t("wave_title", language, n=len(wave), benefit=_money(wave["risk_adjusted_benefit"].sum(), language),
                  npv=_money(wave["npv"].sum(), language))
        benefit = fw.candidates.loc[fw.candidates["ready"], "risk_adjusted_benefit"].clip(lower=0).sum()
        benefit_share = wave["risk_adjusted_benefit"].clip(lower=0).sum() / benefit if benefit > 0 else 0.0
        body = rule + _p(t("wave_share", language, benefit=_share(benefit_share), share=_share(fw.share_of_ready),
                           ready=int(fw.candidates["ready"].sum()), fix=len(fw.after_fix), n=len(s)))
        body += _institution_table(wave, s, language, amounts=shown)
    else:
        title = t("wave_title_data_first", language, m=len(fw.after_fix))
        body = rule
    if len(rest):
        body += f"<h3>{esc(t('next_candidates', language))}</h3>" + _institution_table(rest, s, language, amounts=shown)
        if (~rest["ready"]).any():
            body += _p(t("wave_data_note", language))
    return _section("first_wave", language, title, body + _source(portfolio, language))


def matrix(portfolio: Portfolio, language: str) -> str:
    if portfolio.kind == "review" or portfolio.summaries.empty:
        return ""
    r = _results(portfolio)
    s = portfolio.summaries
    fw = r["wave"]
    verdicts = portfolio.verdicts()
    points = s.assign(ready=verdicts["verdict"] != "fix_data_first", in_wave=s.index.isin(fw.wave.index),
                      wave_rank=fw.candidates["rank"].reindex(s.index))
    median = s["value_at_stake"][s["value_at_stake"] > 0].median()
    first = int(((s["value_at_stake"] > median) & (s["prob_npv_positive"] >= 0.5)).sum())
    vas = r["vas"]
    body = (_p(t("matrix_intro", language)) + figure_html(portfolio_charts.prioritisation_matrix(points, language), "prioritisation matrix")
            + _source(portfolio, language)
            + figure_html(portfolio_charts.concentration_curve(vas.curve, vas.top_count, vas.top_share, language), "concentration")
            + _source(portfolio, language))
    return _section("matrix", language, t("matrix_title", language, n=first), body)


def peer_groups(portfolio: Portfolio, language: str) -> str:
    if portfolio.kind == "review" or portfolio.summaries.empty:
        return ""
    s = portfolio.summaries.dropna(subset=["peer_group", "score_overall"])
    if s.empty:
        return ""
    medians = s.groupby("peer_group")[["score_overall", *SCORE_COLUMNS]].median().sort_values("score_overall", ascending=False, kind="stable")
    if len(medians) > 1:
        spread = (medians[list(SCORE_COLUMNS)].max() - medians[list(SCORE_COLUMNS)].min()).idxmax()
        title = t("groups_title", language, dimension=dimension_label(spread.removeprefix("score_"), language),
                  low=_score(medians[spread].min()), high=_score(medians[spread].max()))
    else:
        title = t("groups_title_one", language, group=peer_group_label(str(medians.index[0]), language))
    table = pd.DataFrame({t("peer_group", language): [peer_group_label(str(g), language) for g in medians.index],
                          t("institutions", language): s.groupby("peer_group").size().reindex(medians.index).astype(str),
                          ("综合" if language == "zh" else "Overall"): [_score(v) for v in medians["score_overall"]],
                          **{dimension_label(d, language): [_score(v) for v in medians[f"score_{d}"]] for d in DIMENSIONS}})
    body = (_p(t("groups_intro", language)) + figure_html(portfolio_charts.peer_group_distributions(s, language), "scores by peer group")
            + _source(portfolio, language) + f"<h3>{esc(t('median_by_group', language))}</h3>" + _table(table, tuple(table.columns[1:])))
    return _section("peer_groups", language, title, body)


def clusters_section(portfolio: Portfolio, language: str) -> str:
    if portfolio.kind == "review" or portfolio.summaries.empty:
        return ""
    c = _results(portfolio)["clusters"]
    s = portfolio.summaries
    if c is None:
        complete = int(s[list(SCORE_COLUMNS)].dropna().shape[0])
        return _section("clusters", language, t("clusters_none", language, n=complete, min=CLUSTER_MIN), "", "keep-with-previous")
    reference = s[list(SCORE_COLUMNS)].mean()
    described = {k: _describe(row, reference, language) for k, row in c.profiles.iterrows()}
    largest = c.profiles.index[0]
    title = t("clusters_title", language, k=c.k, n=int(c.profiles.at[largest, "institutions"]), profile=described[largest])
    method = t("clusters_method", language, kmax=max(CLUSTER_K), k=c.k, s=f"{c.silhouettes[c.k]:.2f}")
    if c.sampled < len(c.labels):
        method += t("clusters_sampled", language, m=c.sampled, seed=CLUSTER_SEED)
    if c.left_out:
        method += t("clusters_left_out", language, n=c.left_out)
    scale = money_scale(c.profiles["value_at_stake"], language)
    members = {k: list(s.loc[c.labels.index[c.labels == k], "value_at_stake"].sort_values(ascending=False, kind="stable").index[:3])
               for k in c.profiles.index}
    joiner = "、" if language == "zh" else "; "
    table = pd.DataFrame({
        t("cluster", language): [str(k) for k in c.profiles.index],
        t("institutions", language): c.profiles["institutions"].astype(int).astype(str),
        t("profile", language): [described[k] for k in c.profiles.index],
        t("overall", language): [_score(v) for v in c.profiles["score_overall"]],
        t("value_at_stake", language, unit=scale.unit): scale.values(c.profiles["value_at_stake"]),
        t("largest_members", language): [joiner.join(_name(s, i, language) for i in members[k]) for k in c.profiles.index],
    })
    body = (_p(method) + figure_html(portfolio_charts.cluster_profiles(c.profiles, c.silhouettes, c.k, language), "cluster profiles")
            + _source(portfolio, language) + _table(table, (table.columns[1], table.columns[3], table.columns[4])))
    return _section("clusters", language, title, body)


def _describe(profile: pd.Series, reference: pd.Series, language: str) -> str:
    """A cluster in words, against the portfolio's mean scores: above or
    below it on every dimension (and where most), or strong in one and weak
    in another."""
    strong, weak = cluster_traits(profile, reference)
    above = all(profile[f"score_{d}"] >= reference[f"score_{d}"] for d in DIMENSIONS)
    below = all(profile[f"score_{d}"] <= reference[f"score_{d}"] for d in DIMENSIONS)
    if above:
        return t("profile_above", language, dimension=dimension_label(strong, language))
    if below:
        return t("profile_below", language, dimension=dimension_label(weak, language))
    return t("profile_mixed", language, strong=dimension_label(strong, language), weak=dimension_label(weak, language))


def rankings(portfolio: Portfolio, language: str) -> str:
    if portfolio.kind == "review":
        return review_rankings(portfolio, language)
    s = portfolio.summaries
    if s.dropna(subset=["score_overall"]).empty:
        return ""
    table, left_out = ranking(s, "score_overall")
    best, worst = table.index[0], table.index[-1]
    title = t("rankings_title", language, best=_short(s, best, language), high=_score(s.at[best, "score_overall"]),
              worst=_short(s, worst, language), low=_score(s.at[worst, "score_overall"]))
    scale = money_scale(table["value_at_stake"], language)
    verdicts = portfolio.verdicts()
    scores = table[list(SCORE_COLUMNS)]
    weakest = [f"{dimension_label(str(row.idxmin()).removeprefix('score_'), language)} {_score(row.min())}" if row.notna().any() else "–"
               for _, row in scores.iterrows()]
    shown = pd.DataFrame({
        t("rank", language): table["rank"].astype(str), t("institution", language): [_name(s, i, language) for i in table.index],
        t("overall", language): [_score(v) for v in table["score_overall"]],
        t("weakest_score", language): weakest,
        t("dea", language): ["–" if not math.isfinite(v) else f"{v:.2f}" for v in table["dea_crs"]],
        t("value_at_stake", language, unit=scale.unit): scale.values(table["value_at_stake"]),
        t("verdict", language): [verdict_label(verdicts.at[i, "verdict"], language) for i in table.index],
    })
    label = t("top_bottom", language, n=LIST_ENDS) if left_out else t("league", language)
    note = _p(t("left_out", language, n=left_out)) if left_out else _p(t("full_list", language, n=len(table)))
    numeric = (shown.columns[2], shown.columns[4], shown.columns[5])
    nowrap = (shown.columns[3], shown.columns[6])
    body = f"<h3>{esc(label)}</h3>" + _table(shown, numeric, "small ranked", nowrap=nowrap) + note
    frontier = s.dropna(subset=["dea_crs"]).sort_values("dea_crs", ascending=False, kind="stable")
    if len(frontier) >= 4:
        ends = min(5, len(frontier) // 2)
        picked = pd.concat([frontier.head(ends), frontier.tail(ends)])
        positions = [t("most_efficient", language)] * ends + [t("least_efficient", language)] * ends
        extremes = pd.DataFrame({t("position", language): positions, t("institution", language): [_name(s, i, language) for i in picked.index],
                                 t("peer_group", language): [peer_group_label(str(g), language) for g in picked["peer_group"]],
                                 t("dea", language): [f"{v:.3f}" for v in picked["dea_crs"]]})
        body += f"<h3>{esc(t('frontier_extremes', language))}</h3>" + _table(extremes, (t("dea", language),), "small ranked")
    return _section("rankings", language, title, body + _source(portfolio, language))


def productivity(portfolio: Portfolio, language: str) -> str:
    from analysis_lib.report.review_charts import productivity_quadrant

    if portfolio.kind == "review":
        return ""
    across = productivity_across(portfolio)
    if across is None:
        return ""
    first, last = str(across["period_from"].iloc[0]), str(across["period_to"].iloc[0])
    in_batch = across["unit"].isin(portfolio.summaries.index)
    ran = across[in_batch].set_index("unit")
    labels = {k: t(k, language) for k in ("catch_up_frontier_up", "fall_behind_frontier_up", "catch_up_frontier_down",
                                          "fall_behind_frontier_down", "others")}
    labels.update({"x": t("ec_axis", language), "y": t("tc_axis", language), "peers": t("in_batch", language)})
    marked = across.assign(peer_group=np.where(in_batch, "batch", "other"))
    fig = productivity_quadrant(marked, "", "batch", language, t("quadrant_title", language, first=first, last=last), labels)
    table, left_out = ranking(ran.assign(peer_group=ran["peer_group"]), "malmquist")
    shown = pd.DataFrame({t("rank", language): table["rank"].astype(str),
                          t("institution", language): [_name(portfolio.summaries, i, language) for i in table.index],
                          t("peer_group", language): [peer_group_label(str(g), language) for g in table["peer_group"]],
                          t("m", language): [f"{v:.3f}" for v in table["malmquist"]],
                          t("ec", language): [f"{v:.3f}" for v in table["efficiency_change"]],
                          t("tc", language): [f"{v:.3f}" for v in table["technical_change"]]})
    panel = str(portfolio.record.get("panel", "")).rsplit("/", 1)[-1] or "panel"
    title = t("productivity_title", language, up=int((ran["malmquist"] > 1).sum()), n=len(ran), first=first, last=last)
    body = (_p(t("productivity_intro", language, first=first, last=last)) + figure_html(fig, "productivity quadrant")
            + _source(portfolio, language, t("source_panel", language, panel=panel)) + _table(shown, tuple(shown.columns[3:]), "small ranked")
            + (_p(t("left_out", language, n=left_out)) if left_out else ""))
    return _section("productivity", language, title, body)


def unknowns_section(portfolio: Portfolio, language: str) -> str:
    u = _results(portfolio)["unknowns"]
    s = portfolio.summaries
    total = s["value_at_stake"].clip(lower=0).sum() if len(s) else 0.0

    def share(ids: list[str]) -> str:
        return _pct(s.loc[[i for i in ids if i in s.index], "value_at_stake"].clip(lower=0).sum() / total) if total > 0 else "–"

    reasons = [("r_failed", u.failed, "–"), ("r_incomplete", u.incomplete, share(u.incomplete)), ("r_poor_data", u.poor_data, share(u.poor_data)),
               ("r_inconsistent", u.inconsistent, share(u.inconsistent)), ("r_implausible", u.implausible, share(u.implausible)),
               ("r_assumed", u.assumed_baselines, share(u.assumed_baselines)), ("r_synthetic", u.synthetic_peers, share(u.synthetic_peers))]
    rows = [(t(key, language, limit=f"{MIN_DATA_QUALITY:.0f}") if key == "r_poor_data" else t(key, language), str(len(ids)), sh,
             _listing(ids, language)) for key, ids, sh in reasons if ids]
    if u.value_share_not_decision_grade > 0:
        title = t("unknowns_title", language, share=_share(u.value_share_not_decision_grade))
    elif u.failed:
        title = t("unknowns_title_failed", language, n=len(u.failed))
    else:
        title = t("unknowns_title_clean", language)
    body = ""
    if rows:
        body += _table(pd.DataFrame(rows, columns=[t("reason", language), t("institutions", language), t("share_of_value", language),
                                                   t("examples", language)]), (t("institutions", language), t("share_of_value", language)))
    failures = portfolio.failures()
    body += f'<h3 id="failures">{esc(t("failures", language))}</h3>'
    if len(failures):
        shown = failures.head(LIST_ENDS)
        body += _table(pd.DataFrame({t("institution", language): shown["institution_id"],
                                         t("status", language): [t(v, language) if v in ("failed", "timeout", "kernel_died", "pending")
                                                                 else v for v in shown["status"]],
                                         t("error", language): shown["error"]}))
        if len(failures) > LIST_ENDS:
            body += _p(t("failures_more", language, n=len(failures) - LIST_ENDS))
    else:
        body += _p(t("no_failures", language))
    return _section("unknowns", language, title, body)


def method(portfolio: Portfolio, language: str) -> str:
    if portfolio.kind == "review":
        return ""
    rule = t("rule", language, cover=_share(WAVE_COVER), max=WAVE_MAX).split("：", 1)[-1] if language == "zh" else \
        t("rule", language, cover=_share(WAVE_COVER), max=WAVE_MAX).split(": ", 1)[-1]
    items = t("method_items", language, top=_share(TOP_SHARE), rule=rule, dq=f"{MIN_DATA_QUALITY:.0f}", limit=LIST_LIMIT, ends=LIST_ENDS)
    body = "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items.split("|")) + "</ul>"
    title = t("method_title", language)
    return _section("method", language, title, body, "keep-with-previous")


# ------------------------------------------------------------------ a batch of progress reviews


def _review_frame(portfolio: Portfolio) -> pd.DataFrame:
    s = portfolio.summaries
    frame = s.reindex(columns=["score_overall_baseline", "score_overall_review", "kpis_red", "malmquist", "benefit_realisation",
                               "revised_npv", "baseline_period", "review_period"])
    for column in ("score_overall_baseline", "score_overall_review", "kpis_red", "malmquist", "benefit_realisation", "revised_npv"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame.assign(change=frame["score_overall_review"] - frame["score_overall_baseline"])


def review_summary(portfolio: Portfolio, language: str) -> str:
    frame = _review_frame(portfolio)
    totals = portfolio.totals()
    body = _p(_completion(totals, language) + ("。" if language == "zh" else "."))
    if frame.empty:
        return _section("summary", language, t("verdict_empty", language), body)
    baseline = str(frame["baseline_period"].dropna().iloc[0]) if frame["baseline_period"].notna().any() else "–"
    review = str(frame["review_period"].dropna().iloc[0]) if frame["review_period"].notna().any() else "–"
    title = t("review_title", language, improved=int((frame["change"] > 0).sum()), n=len(frame), baseline=baseline, review=review)
    body += _p(t("review_intro", language, n=len(frame)))
    with_actuals = frame["benefit_realisation"].notna()
    if with_actuals.any():
        body += _p(t("review_benefits", language, behind=int((frame.loc[with_actuals, "benefit_realisation"] < 0.9).sum()),
                     with_actuals=int(with_actuals.sum())))
    body += figure_html(portfolio_charts.score_changes(frame, language), "score changes") + _source(portfolio, language)
    return _section("summary", language, title, body)


def review_rankings(portfolio: Portfolio, language: str) -> str:
    frame = _review_frame(portfolio)
    if frame.dropna(subset=["change"]).empty:
        return ""
    table, left_out = ranking(frame, "change")
    scale = money_scale(table["revised_npv"].fillna(0.0), language)
    shown = pd.DataFrame({t("rank", language): table["rank"].astype(str), t("institution", language): list(table.index),
                          t("score_baseline", language): [_score(v) for v in table["score_overall_baseline"]],
                          t("score_review", language): [_score(v) for v in table["score_overall_review"]],
                          t("score_change", language): [f"{v:+.0f}" for v in table["change"]],
                          t("kpis_red", language): [_score(v) for v in table["kpis_red"]],
                          t("m", language): ["–" if not math.isfinite(v) else f"{v:.3f}" for v in table["malmquist"]],
                          t("realisation", language): [_pct(v) for v in table["benefit_realisation"]],
                          t("revised_npv", language, unit=scale.unit): scale.values(table["revised_npv"])})
    body = _table(shown, tuple(shown.columns[2:]), "small ranked") + (_p(t("left_out", language, n=left_out)) if left_out else "")
    return _section("rankings", language, t("review_ranking", language), body + _source(portfolio, language))


SECTIONS = {"cover": cover, "summary": summary, "first_wave": first_wave_section, "matrix": matrix, "peer_groups": peer_groups,
            "clusters": clusters_section, "rankings": rankings, "productivity": productivity, "unknowns": unknowns_section,
            "method": method}


def section_html(portfolio: Portfolio, key: str, language: str) -> str:
    """HTML of one section of the portfolio summary (empty when the
    section has nothing to show for this run).

    Raises
    ------
    KeyError
        For a key not in :data:`SECTION_ORDER`.

    Examples
    --------
    >>> from pathlib import Path
    >>> manifest = pd.DataFrame({"institution_id": ["A"], "folder": ["A"], "status": ["failed"], "error": ["cell 2: ValueError"]})
    >>> html = section_html(Portfolio(Path("run"), manifest, summary_frame([])), "summary", "en")
    >>> "0 of 1 institution complete, 1 failed" in html
    True
    """
    if key not in SECTIONS:
        raise KeyError(f"unknown portfolio section {key!r}; sections are {', '.join(SECTION_ORDER)}")
    if any(c not in portfolio.summaries.columns for c in SUMMARY_FIELDS):  # a portfolio assembled by hand
        portfolio = replace(portfolio, summaries=summary_frame(portfolio.summaries.rename_axis("institution_id").reset_index().to_dict("records")))
    return SECTIONS[key](portfolio, check_language(language))
