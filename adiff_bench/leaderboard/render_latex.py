"""The leaderboard as a LaTeX table (booktabs), re-scored rows first, then reported-only rows apart."""

from __future__ import annotations

from adiff_bench.latex import latex_escape
from adiff_bench.leaderboard.ranking import Cell, Table, fmt100, tier_label
from adiff_bench.leaderboard.render_md import reported_tiers


def _cell(cell: Cell | None) -> str:
    if cell is None:
        return "--"
    if cell.score is None:
        return "n/a"
    text = fmt100(cell.score)
    if cell.group == 1:
        text = rf"\textbf{{{text}}}"
    if cell.low is not None and cell.high is not None:
        text += rf"\,{{\scriptsize[{fmt100(cell.low)}, {fmt100(cell.high)}]}}"
    return text


def render_latex(table: Table) -> str:
    columns = list(table.columns)
    header_tiers = [c.tier for c in columns]
    reported = [(row, m, v) for row in table.reported.rows for m, v in row.metrics.items()]
    extra = [t for t in reported_tiers(table.reported) if t not in header_tiers]
    tiers = header_tiers + extra
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\small",
        r"\begin{tabular}{l" + "r" * len(tiers) + "}",
        r"\toprule",
        "Model & " + " & ".join(latex_escape(tier_label(t)) for t in tiers) + r" \\",
        r"\midrule",
    ]
    oracles = [row for row in table.rows if not row.ranked]
    for row in table.rows:
        if row is (oracles[0] if oracles else None):
            heading = r"}{l}{\emph{Oracles (read the ground truth; not ranked)}} \\"
            lines += [r"\midrule", r"\multicolumn{" + str(len(tiers) + 1) + heading]
        cells = [_cell(row.cells.get(t)) for t in tiers]
        lines.append(latex_escape(row.label) + " & " + " & ".join(cells) + r" \\")
    if reported:
        lines += [r"\midrule", r"\multicolumn{" + str(len(tiers) + 1) + r"}{l}{\emph{Reported, not reproduced}} \\"]
        for row, metric, values in reported:
            cells = [f"{values[t]:.2f}" if t in values else "--" for t in tiers]
            name = f"{latex_escape(row.name)} ({latex_escape(metric)}, reported)"
            lines.append(name + " & " + " & ".join(cells) + r" \\")
    sources = "; ".join(sorted({latex_escape(row.source) for row, _, _ in reported}))
    caption = (
        f"{latex_escape(table.metric)} $\\times$100 with 95\\% CIs, re-scored by adiff-bench; bold: rank group 1 "
        f"(not significantly different from the best). {latex_escape(table.metric_note)}"
    )
    if sources:
        caption += f" Reported rows are quoted from: {sources}; they are not re-scored or ranked."
    lines += [r"\bottomrule", r"\end{tabular}", f"\\caption{{{caption}}}", r"\end{table}"]
    return "\n".join(lines) + "\n"
