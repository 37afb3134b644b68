"""A static, self-contained index.html: sortable table (inline vanilla JS), one inline SVG chart per tier,
reported-only rows apart, a detail view per model. No external scripts, styles, fonts or images.

Every submitter-supplied string goes through :func:`esc` (``html.escape`` with quotes), links are drawn
only for http(s) URLs, and no submitter text ever reaches the script.
"""

from __future__ import annotations

import html
import math
import re

from adiff_bench.leaderboard.ranking import (
    Cell,
    Column,
    Row,
    Table,
    column_notes,
    column_signatures,
    fmt100,
    tier_label,
)
from adiff_bench.leaderboard.render_md import ORACLE_NOTE, reported_tiers

STYLE = """
tr.oracle td{font-style:italic;color:#555}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;
color:#1d1d1f;line-height:1.45}
table{border-collapse:collapse;margin:1rem 0}th,td{border-bottom:1px solid #ddd;padding:.35rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{cursor:pointer;user-select:none;background:#f4f4f6}
thead th[aria-sort=ascending]::after{content:" \\25B2"}thead th[aria-sort=descending]::after{content:" \\25BC"}
.ci{color:#666;font-size:.85em}.g{font-size:.75em;color:#555;margin-left:.25em}.g1{font-weight:600}
.missing{color:#aaa}.reported{background:#fff8e6}.reported td:last-child{text-align:left}
.note{color:#555;font-size:.9em}
figure{display:inline-block;margin:.5rem 1rem .5rem 0;vertical-align:top}figcaption{font-weight:600}
details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}code{font-size:.85em;word-break:break-all}
"""

SCRIPT = """
(function () {
  var table = document.getElementById("board");
  if (!table) { return; }
  var heads = table.tHead.rows[0].cells;
  function value(row, index, numeric) {
    var raw = row.cells[index].getAttribute("data-value");
    if (numeric) { return raw === "" ? null : parseFloat(raw); }
    return raw.toLowerCase();
  }
  function sortBy(index) {
    var th = heads[index];
    var numeric = th.getAttribute("data-type") === "num";
    var current = th.getAttribute("aria-sort");
    var dir = current ? (current === "ascending" ? "descending" : "ascending") : (numeric ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, index, numeric), y = value(b, index, numeric);
      var order = 0;
      if (x === null && y !== null) { return 1; }
      if (y === null && x !== null) { return -1; }
      if (x !== null && y !== null) { order = x < y ? -1 : (x > y ? 1 : 0); }
      if (dir === "descending") { order = -order; }
      return order || (parseInt(a.getAttribute("data-index"), 10) - parseInt(b.getAttribute("data-index"), 10));
    });
    for (var i = 0; i < rows.length; i++) { body.appendChild(rows[i]); }
    for (var j = 0; j < heads.length; j++) { heads[j].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", dir);
  }
  function openTarget() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") { target.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
  Array.prototype.forEach.call(heads, function (th, index) {
    th.addEventListener("click", function () { sortBy(index); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(index); }
    });
  });
})();
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _safe_url(value: object) -> str | None:
    text = str(value or "")
    return text if re.match(r"^https?://[^\s<>\"']+$", text) else None


def _anchor(slug: str) -> str:
    return "model-" + re.sub(r"[^a-z0-9-]", "", slug)


def _cell_html(cell: Cell | None) -> str:
    if cell is None:
        return '<td data-value="" class="missing" title="tier not submitted">—</td>'
    if cell.score is None:
        return '<td data-value="" class="missing" title="submitted, but this metric is not available for it">n/a</td>'
    ci = ""
    if cell.low is not None and cell.high is not None:
        ci = f' <span class="ci">[{fmt100(cell.low)}, {fmt100(cell.high)}]</span>'
    group = f' <span class="g g{cell.group}" title="rank group">({cell.group})</span>' if cell.group else ""
    value = "" if cell.score is None else repr(float(cell.score))
    return f'<td data-value="{value}">{fmt100(cell.score)}{ci}{group}</td>'


def _board(table: Table) -> list[str]:
    head = ['<th scope="col" data-type="text" tabindex="0">Model</th>']
    head += [
        f'<th scope="col" data-type="num" tabindex="0" data-tier="{esc(c.tier)}">{esc(c.label)}</th>'
        for c in table.columns
    ]
    out = [f'<table id="board"><caption>{esc(table.metric)} ×100, re-scored by adiff-bench</caption>']
    out.append("<thead><tr>" + "".join(head) + "</tr></thead><tbody>")
    for index, row in enumerate(table.rows):
        name = f'<td data-value="{esc(row.label)}"><a href="#{_anchor(row.slug)}">{esc(row.label)}</a></td>'
        cells = "".join(_cell_html(row.cells.get(c.tier)) for c in table.columns)
        kind = "" if row.ranked else ' class="oracle" title="oracle: reads the ground truth; not ranked"'
        out.append(f'<tr data-index="{index}" data-slug="{esc(row.slug)}"{kind}>{name}{cells}</tr>')
    out.append("</tbody></table>")
    return out


def _chart(table: Table, column: Column) -> str:
    """Horizontal bars (score) with CI whiskers, best first; group-1 bars darker."""
    rows = [
        (r, r.cells[column.tier])
        for r in table.rows
        if r.cells.get(column.tier, Cell(None, None, None)).score is not None
    ]
    rows.sort(key=lambda rc: (-(rc[1].score or 0.0), rc[0].slug))
    label_w, bar_w, row_h, top = 190, 330, 22, 6
    top_value = max([c.high if c.high is not None else c.score or 0.0 for _, c in rows] + [1e-9])
    scale = bar_w / (top_value * 1.1)
    height = top + row_h * len(rows) + 34
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 70}" height="{height}" role="img" '
        f'aria-label="{esc(table.metric)} on {esc(column.label)}">'
    ]
    for i, (row, cell) in enumerate(rows):
        y = top + i * row_h
        name = row.label if len(row.label) <= 26 else row.label[:25] + "…"
        width = max((cell.score or 0.0) * scale, 0.0)
        fill = "#b8b8b8" if not row.ranked else "#3b6fb6" if cell.group == 1 else "#9bb5d9"
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{esc(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}" fill="{fill}"/>')
        if cell.low is not None and cell.high is not None and math.isfinite(cell.low) and math.isfinite(cell.high):
            x1, x2, ym = label_w + cell.low * scale, label_w + cell.high * scale, y + row_h / 2
            parts.append(f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{ym:.1f}" y2="{ym:.1f}" stroke="#222"/>')
            for x in (x1, x2):
                parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{ym - 4:.1f}" y2="{ym + 4:.1f}" stroke="#222"/>')
        end = label_w + max(width, (cell.high or 0.0) * scale) + 4
        parts.append(f'<text x="{end:.1f}" y="{y + 15}" font-size="11">{fmt100(cell.score)}</text>')
    axis_y = top + row_h * len(rows) + 2
    parts.append(f'<line x1="{label_w}" x2="{label_w + bar_w}" y1="{axis_y}" y2="{axis_y}" stroke="#888"/>')
    parts.append(f'<text x="{label_w}" y="{axis_y + 13}" font-size="10">0</text>')
    axis_end = top_value * 1.1
    parts.append(
        f'<text x="{label_w + bar_w}" y="{axis_y + 13}" text-anchor="end" font-size="10">{fmt100(axis_end)}</text>'
    )
    parts.append(
        f'<text x="{label_w + bar_w / 2:.1f}" y="{axis_y + 28}" text-anchor="middle" font-size="11">'
        f"{esc(table.metric)} ×100 (bar: score, whiskers: 95% CI)</text>"
    )
    parts.append("</svg>")
    caption = f"<figcaption>{esc(column.label)} — {esc(table.metric)} ×100, 95% CI</figcaption>"
    return f"<figure>{caption}{''.join(parts)}</figure>"


def _reported(table: Table) -> list[str]:
    reported = table.reported
    if not reported.rows:
        return []
    tiers = reported_tiers(reported)
    out = [
        "<h2>Reported, not reproduced</h2>",
        f'<p class="note">{esc(reported.note)}</p>',
        '<table class="reported" id="reported"><thead><tr><th>Model</th><th>Metric ×100</th>'
        + "".join(f"<th>{esc(tier_label(t))}</th>" for t in tiers)
        + "<th>Source</th></tr></thead><tbody>",
    ]
    for row in reported.rows:
        for metric, values in row.metrics.items():
            cells = "".join(f"<td>{values[t]:.2f}</td>" if t in values else '<td class="missing">—</td>' for t in tiers)
            out.append(
                f"<tr><td>{esc(row.name)} <em>(reported)</em></td><td>{esc(metric)}</td>{cells}"
                f"<td>{esc(row.source)}</td></tr>"
            )
    out.append("</tbody></table>")
    return out


def _meta_list(row: Row) -> str:
    items = []
    for key, value in row.meta.items():
        if key == "name" or value in (None, "", {}):
            continue
        if key.endswith("_url") and _safe_url(value):
            shown = f'<a href="{esc(value)}" rel="noopener noreferrer nofollow">{esc(value)}</a>'
        elif isinstance(value, dict):
            shown = esc(", ".join(f"{k}={v}" for k, v in value.items()))
        else:
            shown = esc(value)
        items.append(f"<dt>{esc(key)}</dt><dd>{shown}</dd>")
    items.append(f"<dt>predictions sha256</dt><dd><code>{esc(row.predictions_sha256)}</code></dd>")
    return "<dl>" + "".join(items) + "</dl>"


def _details(table: Table) -> list[str]:
    out = ["<h2>Details per model</h2>"]
    for row in table.rows:
        tiers = list(row.details)
        metrics = sorted({m for scores in row.details.values() for m in scores})
        head = "".join(f"<th>{esc(tier_label(t))} (n={row.n_items[t]})</th>" for t in tiers)
        body = []
        for metric in metrics:
            cells = []
            for tier in tiers:
                score = row.details[tier].get(metric)
                if score is None:
                    cells.append('<td class="missing">—</td>')
                elif score.score is None:
                    cells.append(f'<td class="missing" title="{esc(score.unavailable or "")}">n/a</td>')
                else:
                    ci = (
                        f' <span class="ci">[{fmt100(score.low)}, {fmt100(score.high)}]</span>'
                        if score.low is not None
                        else ""
                    )
                    cells.append(f'<td title="{esc(score.signature)}">{fmt100(score.score)}{ci}</td>')
            body.append(f"<tr><td>{esc(metric)}</td>{''.join(cells)}</tr>")
        out.append(
            f'<details id="{_anchor(row.slug)}"><summary>{esc(row.label)}</summary>{_meta_list(row)}'
            f"<table><thead><tr><th>Metric ×100</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></details>"
        )
    return out


def render_html(table: Table) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">",
        "<title>ADIFF difference-explanation leaderboard</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>ADIFF difference-explanation leaderboard</h1>",
        '<p class="note">Every score was re-scored by adiff-bench from the submitted predictions; no submitted '
        "number is used. Cells: score [95% CI] (rank group). Click a column header to sort.</p>",
        f'<p class="note">Headline metric: <strong>{esc(table.metric)} ×100</strong>. {esc(table.metric_note)}</p>',
    ]
    if table.rows:
        parts += _board(table)
        parts.append('<ul class="note">')
        if any(not row.ranked for row in table.rows):
            parts.append(f"<li>{esc(ORACLE_NOTE.replace('*', ''))} Grey bars in the charts.</li>")
        for labels, (grouping, resampling) in column_notes(table):
            ci = f" CIs: {esc(resampling)}." if resampling else ""
            parts.append(f"<li>{esc(labels)}: rank groups by {esc(grouping)}.{ci}</li>")
        for labels, signature in column_signatures(table):
            parts.append(f"<li>{esc(labels)} signature: <code>{esc(signature)}</code></li>")
        parts.append("</ul><h2>Charts</h2>")
        parts += [_chart(table, column) for column in table.columns]
    else:
        parts.append("<p>No re-scored entries yet.</p>")
    parts += _reported(table)
    if table.rows:
        parts += _details(table)
    parts += [f"<script>{SCRIPT}</script>", "</body></html>"]
    return "\n".join(parts) + "\n"
