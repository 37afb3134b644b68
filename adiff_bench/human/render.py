"""The report of a study as Markdown, LaTeX or JSON; numbers are formatted, never altered."""

from __future__ import annotations

import json
import math

from adiff_bench.human.analysis import HumanReport
from adiff_bench.latex import latex_escape


def _f(value: float, digits: int = 2) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _p(value: float) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _tables(report: HumanReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table, shared by the Markdown and LaTeX renderers."""
    tables = []
    rows = [
        [
            s.system,
            s.criterion,
            _f(s.mean),
            f"[{_f(s.ci_low)}, {_f(s.ci_high)}]",
            str(s.n_items),
            str(s.n_ratings),
            _f(s.alpha, 3),
        ]
        for s in report.scores
    ]
    tables.append(
        (
            "Mean rating per system and criterion",
            ["System", "Criterion", "Mean", "95% CI", "Items", "Ratings", "α (this system)"],
            rows,
        )
    )
    rows = [[a.criterion, _f(a.alpha, 3), str(a.n_units), str(a.n_raters)] for a in report.agreement]
    tables.append(("Inter-rater agreement (Krippendorff's α, ordinal)", ["Criterion", "α", "Units", "Raters"], rows))
    rows = [[f.criterion, _f(f.statistic, 3), _p(f.p_value), str(f.n_items), f.note] for f in report.friedman]
    tables.append(("Friedman test across systems", ["Criterion", "χ²", "p", "Items", "Note"], rows))
    rows = [
        [
            p.criterion,
            f"{p.system_a} − {p.system_b}",
            _f(p.mean_difference, 3),
            str(p.n_items),
            _f(p.statistic, 1),
            _p(p.p_value),
            _p(p.p_holm),
        ]
        for p in report.pairs
    ]
    tables.append(
        (
            "Pairwise Wilcoxon signed-rank tests (Holm-corrected)",
            ["Criterion", "Pair", "Mean diff.", "Items", "W", "p", "p (Holm)"],
            rows,
        )
    )
    if report.correlations:
        rows = [
            [
                c.metric,
                c.criterion,
                c.level,
                str(c.n),
                _f(c.kendall_tau, 3),
                _p(c.kendall_p),
                _f(c.spearman_rho, 3),
                _p(c.spearman_p),
                c.note,
            ]
            for c in report.correlations
        ]
        tables.append(
            (
                "Agreement of automatic metrics with the mean human rating",
                ["Metric", "Criterion", "Level", "n", "Kendall τ", "p", "Spearman ρ", "p", "Note"],
                rows,
            )
        )
    return tables


def _summary(report: HumanReport) -> str:
    missing = sum(report.missing.values())
    return (
        f"{report.study}: {len(report.systems)} systems, {report.n_items} items ({report.n_units} blinded units), "
        f"{len(report.raters)} raters, {report.n_ratings} ratings; {missing} rating cells missing"
        + (f" ({', '.join(f'{r}: {n}' for r, n in report.missing.items() if n)})" if missing else "")
    )


def to_markdown(report: HumanReport) -> str:
    lines = [f"# Human study: {report.study}", "", _summary(report), ""]
    for title, header, rows in _tables(report):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        lines.append("")
    lines.append("Method: " + "; ".join(f"{k}: {v}" for k, v in report.method.items()))
    return "\n".join(lines) + "\n"


def _tex(text: str) -> str:
    """Text safe inside a LaTeX table cell (system names and notes are arbitrary)."""
    return latex_escape(text)


def to_latex(report: HumanReport) -> str:
    parts = [f"% {_tex(_summary(report))}", r"% tables need \usepackage{booktabs}"]
    for title, header, rows in _tables(report):
        parts += [
            r"\begin{table}[t]\centering",
            rf"\caption{{{_tex(title)}}}",
            r"\begin{tabular}{" + "l" * 2 + "r" * (len(header) - 2) + "}",
            r"\toprule",
            " & ".join(_tex(h) for h in header) + r" \\",
            r"\midrule",
            *(" & ".join(_tex(c) for c in row) + r" \\" for row in rows),
            r"\bottomrule",
            r"\end{tabular}",
            r"\end{table}",
        ]
    return "\n".join(parts) + "\n"


def render_report(report: HumanReport, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "latex":
        return to_latex(report)
    return to_markdown(report)
