"""The batch's ``index.html``: one row per institution with its key results
(overall score, value at stake, NPV, IRR, recommendation, data quality,
first wave, status), links to its reports and, for a report that did not
complete, the error and the executed notebook kept for diagnosis.

The table sorts (click a header) and filters (search box, peer group,
status, recommendation, first wave) with a short inline script; the page
loads nothing from anywhere (no external script, style sheet or font), so
it works offline and from a file share. Without a script it is still the
complete table. Built from the manifest and the per-institution summaries
only.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from analysis_lib.batch.portfolio import Portfolio, first_wave
from analysis_lib.batch.portfolio_text import heading, t, verdict_label, verdict_text
from analysis_lib.reference.sample import localised_name
from analysis_lib.report.text import money_scale, peer_group_label

STATUSES = ("ok", "failed", "timeout", "kernel_died", "pending")
SCRIPT = """
(function () {
  var table = document.getElementById("institutions");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var search = document.getElementById("search");
  var selects = Array.prototype.slice.call(document.querySelectorAll("select[data-filter]"));
  var wave = document.getElementById("wave-only");
  var count = document.getElementById("shown");
  function filter() {
    var text = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (row) {
      var keep = !text || row.getAttribute("data-search").indexOf(text) >= 0;
      selects.forEach(function (select) {
        if (select.value && row.getAttribute("data-" + select.getAttribute("data-filter")) !== select.value) { keep = false; }
      });
      if (wave && wave.checked && row.getAttribute("data-wave") !== "1") { keep = false; }
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = String(shown);
  }
  function value(row, index, numeric) {
    var raw = row.cells[index].getAttribute("data-sort");
    if (numeric) { return raw === "" || raw === null ? null : parseFloat(raw); }
    return (raw === null ? row.cells[index].textContent : raw).toLowerCase();
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    if (!th.hasAttribute("data-type")) { return; }
    th.addEventListener("click", function () {
      var numeric = th.getAttribute("data-type") === "number";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = value(a, index, numeric), y = value(b, index, numeric);
        if (x === null && y === null) { return 0; }
        if (x === null) { return 1; }
        if (y === null) { return -1; }
        var order = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  search.addEventListener("input", filter);
  selects.forEach(function (select) { select.addEventListener("change", filter); });
  if (wave) { wave.addEventListener("change", filter); }
  filter();
})();
"""

STYLE = """
body { font-family: "Liberation Sans", Arial, "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; margin: 24px; color: #1F2A36; }
h1 { color: #0072B2; font-size: 22px; margin: 0 0 6px; }
p.key { margin: 4px 0 12px; }
.controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 10px 0; font-size: 13px; }
.controls input[type=search] { min-width: 220px; padding: 3px 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid #D9DEE4; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #F2F4F7; position: sticky; top: 0; }
th[data-type] { cursor: pointer; user-select: none; }
th[aria-sort=ascending]::after { content: " \\25B2"; font-size: 10px; }
th[aria-sort=descending]::after { content: " \\25BC"; font-size: 10px; }
td.num, th.num { text-align: right; }
tr.status-ok td.status { color: #009E73; font-weight: 600; }
tr:not(.status-ok) td.status { color: #D55E00; font-weight: 600; }
td.wave { color: #D55E00; font-weight: 600; }
details summary { cursor: pointer; color: #0072B2; }
td.links, td.status { white-space: nowrap; }
html:lang(zh-CN) th, html:lang(zh-CN) td { word-break: keep-all; }
td.links details { white-space: normal; max-width: 360px; }
.hint { color: #5B6673; font-size: 12px; }
"""


@dataclass(frozen=True)
class Column:
    """One column of the index: header, sort type and the cell of a row."""

    header: str
    kind: str
    """``text``, ``number`` or ``links`` (not sortable)."""
    cell: Callable[[str], tuple[str, str]]
    """institution id → (shown text as HTML, sort value)."""


def _number(value: float, decimals: int = 0, factor: float = 1.0) -> tuple[str, str]:
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "–", ""
    shown = f"{value * factor:,.{decimals}f}"
    return (shown[1:] if shown.startswith("-") and not shown.strip("-0.,") else shown), f"{value * factor:.6g}"


def _status(status: str, language: str) -> str:
    return t(status, language) if status in STATUSES else status


def _link(folder: str, name: str, label: str | None = None) -> str:
    if not name:
        return ""
    shown = label or name.rsplit(".", 1)[-1].upper()
    return f'<a href="{html.escape(quote(folder))}/{html.escape(quote(name))}">{html.escape(shown)}</a>'


def _diagnostic_columns(portfolio: Portfolio, language: str, wave_rank: dict[str, int]) -> list[Column]:
    s = portfolio.summaries
    verdicts = portfolio.verdicts()
    scale = money_scale(pd.concat([s["value_at_stake"], s["npv"]]).fillna(0.0), language)

    def field(column: str) -> Callable[[str], float]:
        return lambda i: s.at[i, column] if i in s.index else float("nan")

    def verdict(i: str) -> tuple[str, str]:
        v = verdicts.at[i, "verdict"] if i in verdicts.index else ""
        economic = verdicts.at[i, "economic_verdict"] if i in verdicts.index else ""
        return html.escape(verdict_text(v, economic, language)), v

    return [
        Column(t("overall", language), "number", lambda i: _number(field("score_overall")(i))),
        Column(t("value_at_stake", language, unit=scale.unit), "number",
               lambda i: _number(field("value_at_stake")(i), scale.decimals, 1 / scale.divisor)),
        Column(t("npv", language, unit=scale.unit), "number", lambda i: _number(field("npv")(i), scale.decimals, 1 / scale.divisor)),
        Column(t("irr", language), "number", lambda i: _number(field("irr")(i), 0, 100.0)),
        Column(t("verdict", language), "text", verdict),
        Column(t("data_quality", language), "number", lambda i: _number(field("data_quality")(i))),
        Column(t("first_wave_n", language), "number", lambda i: (str(wave_rank[i]), str(wave_rank[i])) if i in wave_rank else ("", "")),
    ]


def _review_columns(portfolio: Portfolio, language: str) -> list[Column]:
    s = portfolio.summaries

    def field(column: str) -> Callable[[str], float]:
        return lambda i: float(pd.to_numeric(s.at[i, column], errors="coerce")) if i in s.index and column in s else float("nan")

    scale = money_scale(pd.to_numeric(s.get("revised_npv", pd.Series(dtype=float)), errors="coerce").fillna(0.0), language)
    return [
        Column(t("score_baseline", language), "number", lambda i: _number(field("score_overall_baseline")(i))),
        Column(t("score_review", language), "number", lambda i: _number(field("score_overall_review")(i))),
        Column(t("kpis_red", language), "number", lambda i: _number(field("kpis_red")(i))),
        Column(t("m", language), "number", lambda i: _number(field("malmquist")(i), 3)),
        Column(t("realisation", language), "number", lambda i: _number(field("benefit_realisation")(i), 0, 100.0)),
        Column(t("revised_npv", language, unit=scale.unit), "number",
               lambda i: _number(field("revised_npv")(i), scale.decimals, 1 / scale.divisor)),
    ]


def index_html(portfolio: Portfolio, language: str | None = None, title: str | None = None) -> str:
    """The index page of a run (see the module's docstring).

    Examples
    --------
    >>> manifest = pd.DataFrame({"institution_id": ["A"], "folder": ["A"], "status": ["failed"], "error": ["cell 3: ValueError"],
    ...                          "html": [""], "pdf": [""], "duration_s": ["1.0"]})
    >>> from analysis_lib.batch.portfolio import summary_frame
    >>> page = index_html(Portfolio(Path("run"), manifest, summary_frame([])))
    >>> '<table id="institutions"' in page and "cell 3: ValueError" in page and "<script>" in page
    True
    """
    language = language or portfolio.language
    title = title or heading("index", language)
    s = portfolio.summaries
    wave = first_wave(portfolio).wave if portfolio.kind != "review" else pd.DataFrame()
    wave_rank = {i: int(r) for i, r in wave["rank"].items()} if len(wave) else {}
    extra = _review_columns(portfolio, language) if portfolio.kind == "review" else _diagnostic_columns(portfolio, language, wave_rank)
    header = [f'<th data-type="text">{html.escape(t("institution", language))}</th>',
              f'<th data-type="text">{html.escape(t("peer_group", language))}</th>',
              f'<th data-type="text">{html.escape(t("status", language))}</th>']
    header += [f'<th data-type="{c.kind}" class="{"num" if c.kind == "number" else ""}">{html.escape(c.header)}</th>' for c in extra]
    header += [f"<th>{html.escape(t('reports', language))}</th>", f'<th data-type="number" class="num">{html.escape(t("seconds", language))}</th>']
    body, groups, statuses, verdicts = [], set(), set(), set()
    verdict_of = portfolio.verdicts()
    for row in portfolio.manifest.to_dict("records"):
        institution_id = str(row["institution_id"])
        folder, status = str(row.get("folder", "")), str(row.get("status", ""))
        name = s.at[institution_id, "name"] if institution_id in s.index else ""
        group = str(s.at[institution_id, "peer_group"]) if institution_id in s.index and isinstance(s.at[institution_id, "peer_group"], str) else ""
        shown_name = localised_name(name, group, language) if isinstance(name, str) and name else ""
        verdict = verdict_of.at[institution_id, "verdict"] if institution_id in verdict_of.index else ""
        groups.add(group)
        statuses.add(status)
        verdicts.add(verdict)
        label = html.escape(institution_id) + (f'<br><span class="hint">{html.escape(shown_name)}</span>' if shown_name else "")
        cells = [f'<td data-sort="{html.escape(institution_id.lower())}">{label}</td>',
                 f'<td>{html.escape(peer_group_label(group, language) if group else "–")}</td>',
                 f'<td class="status">{html.escape(_status(status, language))}'
                 "</td>"]
        for column in extra:
            text, key = column.cell(institution_id)
            css = ' class="num wave"' if column.header == t("first_wave_n", language) and text else ' class="num"' if column.kind == "number" else ""
            cells.append(f'<td{css} data-sort="{html.escape(key)}">{text if column.kind != "number" else html.escape(text)}</td>')
        links = " ".join(x for x in (_link(folder, str(row.get(k, ""))) for k in ("html", "pdf", "pptx", "xlsx")) if x)
        if status != "ok":
            notebook = _link(f"{folder}/internal", f"{folder}.ipynb", t("notebook", language))
            links += (f'<details><summary>{html.escape(t("details", language))}</summary>{html.escape(str(row.get("error", "")))}'
                      f'<br>{notebook} · <a href="portfolio_summary.html#failures">{html.escape(t("failures", language))}</a></details>')
        cells.append(f'<td class="links">{links}</td>')
        seconds = _number(pd.to_numeric(row.get("duration_s", ""), errors="coerce"), 1)
        cells.append(f'<td class="num" data-sort="{seconds[1]}">{seconds[0]}</td>')
        search = f"{institution_id} {name} {shown_name}".lower()
        body.append(f'<tr class="status-{html.escape(status)}" data-search="{html.escape(search)}" data-group="{html.escape(group)}" '
                    f'data-status="{html.escape(status)}" data-verdict="{html.escape(verdict)}" data-wave="{1 if institution_id in wave_rank else 0}">'
                    + "".join(cells) + "</tr>")

    def options(key: str, values: set[str], label: Callable[[str], str]) -> str:
        items = "".join(f'<option value="{html.escape(v)}">{html.escape(label(v))}</option>' for v in sorted(v for v in values if v))
        return f'<select data-filter="{key}"><option value="">{html.escape(t("all", language))}</option>{items}</select>'

    ok = int((portfolio.manifest["status"] == "ok").sum()) if len(portfolio.manifest) else 0
    controls = (f'<div class="controls"><input type="search" id="search" placeholder="{html.escape(t("search", language))}" '
                f'aria-label="{html.escape(t("search", language))}">'
                f'<label>{html.escape(t("peer_group", language))} {options("group", groups, lambda g: peer_group_label(g, language))}</label>'
                f'<label>{html.escape(t("status", language))} {options("status", statuses, lambda v: _status(v, language))}</label>'
                + (f'<label>{html.escape(t("verdict", language))} {options("verdict", verdicts, lambda v: verdict_label(v, language))}</label>'
                   f'<label><input type="checkbox" id="wave-only"> {html.escape(t("wave_only", language))}</label>' if portfolio.kind != "review" else "")
                + f'<span>{html.escape(t("showing", language))} <b id="shown">{len(body)}</b> {html.escape(t("of_rows", language))} {len(body)}</span></div>')
    key = [t("index_intro", language, ok=ok, n=len(portfolio.manifest))]
    if len(s) and portfolio.kind != "review":
        key.append(t("index_wave", language, n=len(wave)) if len(wave) else "")
    lang = "zh-CN" if language == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head>'
            f'<body><h1>{html.escape(title)}</h1><p class="key">{html.escape(" ".join(k for k in key if k))} '
            f'<a href="portfolio_summary.html">{html.escape(t("portfolio_link", language))}</a>{_datapack_link(portfolio, language)}</p>{controls}'
            f'<p class="hint">{html.escape(t("sort_hint", language))}</p><noscript><p class="hint">{html.escape(t("no_script", language))}</p></noscript>'
            f'<table id="institutions"><thead><tr>{"".join(header)}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f"<script>{SCRIPT}</script></body></html>")


def _datapack_link(portfolio: Portfolio, language: str) -> str:
    """The run's portfolio data pack (:mod:`analysis_lib.batch.portfolio_datapack`), when it has one."""
    if not (Path(portfolio.run_dir) / "portfolio_datapack.xlsx").is_file():
        return ""
    return f' · <a href="portfolio_datapack.xlsx">{"组合数据包（XLSX）" if language == "zh" else "Portfolio data pack (XLSX)"}</a>'


def write_index_page(run_dir: Path, manifest: pd.DataFrame, title: str | None = None) -> Path:
    """Write ``index.html`` of a run from its manifest rows and the
    summaries on disk (atomically).

    Examples
    --------
    >>> import tempfile
    >>> from analysis_lib.batch.synthetic_run import write_synthetic_run
    >>> run = Path(tempfile.mkdtemp()) / "r"
    >>> _ = write_synthetic_run(run, institutions=12, seed=1)
    >>> page = write_index_page(run, pd.read_csv(run / "manifest.csv", dtype=str, keep_default_na=False)).read_text(encoding="utf-8")
    >>> page.count("<tr class=")
    12
    """
    from analysis_lib.batch.portfolio import load_portfolio, summary_frame
    from analysis_lib.report.export import atomic_write_bytes

    if (run_dir / "manifest.csv").is_file():
        loaded = load_portfolio(run_dir)
        ok = set(manifest.loc[manifest["status"] == "ok", "institution_id"]) if len(manifest) else set()
        portfolio = Portfolio(run_dir, manifest, loaded.summaries[loaded.summaries.index.isin(ok)], loaded.record)
    else:
        portfolio = Portfolio(run_dir, manifest, summary_frame([]), {})
    atomic_write_bytes(run_dir / "index.html", index_html(portfolio, title=title).encode("utf-8"))
    return run_dir / "index.html"
