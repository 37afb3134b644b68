"""Render a run record's scores as Markdown, LaTeX or JSON, and the rows and notes of the CLI's compact table."""

from __future__ import annotations

import json
from collections.abc import Mapping

from adiff_bench.latex import latex_escape
from adiff_bench.runs.record import RunRecord


def _fmt(value: float | None, scale: float = 100.0) -> str:
    return "n/a" if value is None else f"{value * scale:.2f}"


def _short(reason: str | None) -> str:
    """The first clause of an unavailability reason; the full text stays in results.json."""
    text = (reason or "no reason given").split(";")[0].split(". ")[0]
    return text if len(text) <= 90 else text[:87] + "..."


def score_rows(record: Mapping) -> list[tuple[str, str, str, str]]:
    """(metric, score ×100, 95 % CI ×100 or '', signature or the reason it is unavailable)."""
    rows = []
    for name, entry in record["scores"].items():
        ci = entry.get("ci")
        interval = f"[{_fmt(ci['low'])}, {_fmt(ci['high'])}]" if ci else ""
        note = (
            entry["signature"] if entry.get("score") is not None else f"unavailable: {_short(entry.get('unavailable'))}"
        )
        rows.append((name, _fmt(entry.get("score")), interval, note))
    return rows


def compact_rows(record: Mapping) -> list[tuple[str, str, str]]:
    """(metric, score ×100 or 'n/a', 95 % CI ×100 or ''): the narrow table; the notes go below it."""
    return [(name, score, interval) for name, score, interval, _ in score_rows(record)]


def unavailable_notes(record: Mapping) -> list[str]:
    """One line per distinct reason, naming every metric it applies to (so a missing extra is said once)."""
    by_reason: dict[str, list[str]] = {}
    for name, entry in record["scores"].items():
        if entry.get("score") is None:
            by_reason.setdefault(_short(entry.get("unavailable")), []).append(name)
    return [f"{', '.join(names)} unavailable: {reason}" for reason, names in by_reason.items()]


def signature_notes(record: Mapping) -> list[str]:
    """``metric: signature`` for every metric with a score (results.json keeps them all anyway)."""
    scores = record["scores"]
    return [f"{name}: {entry['signature']}" for name, entry in scores.items() if entry.get("score") is not None]


def _title(record: Mapping) -> str:
    task = record["task"]
    return f"{record['model']['name']} on {task['name']} ({task['items_scored']} items)"


def to_markdown(record: Mapping, signatures: bool = False) -> str:
    """A Metric | Score | CI table; unavailable metrics as n/a with their reason once below, signatures on request."""
    lines = [f"### {_title(record)}", "", "| Metric | Score (×100) | 95% CI |", "|---|---:|---|"]
    lines += [f"| {m} | {s} | {c} |" for m, s, c in compact_rows(record)]
    notes = unavailable_notes(record)
    if notes:
        lines += [""] + [f"- {note}" for note in notes]
    ci = record.get("confidence_intervals")
    if ci:
        lines += ["", f"CIs: {ci['method']}, {ci['n_resamples']} resamples, seed {ci['seed']}."]
    if signatures:
        lines += ["", "Signatures:", ""] + [f"- `{note}`" for note in signature_notes(record)]
    return "\n".join(lines) + "\n"


def to_latex(record: Mapping) -> str:
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\begin{tabular}{lrl}",
        r"\toprule",
        r"Metric & Score ($\times$100) & 95\% CI \\",
        r"\midrule",
    ]
    lines += [f"{latex_escape(m)} & {s} & {c} \\\\" for m, s, c, _ in score_rows(record)]
    lines += [r"\bottomrule", r"\end{tabular}", f"\\caption{{{latex_escape(_title(record))}}}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def to_json(record: Mapping) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"md": to_markdown, "latex": to_latex, "json": to_json}


def render(record: Mapping | RunRecord, fmt: str, signatures: bool = False) -> str:
    data = record.to_json() if isinstance(record, RunRecord) else record
    if fmt == "md":
        return to_markdown(data, signatures)
    return RENDERERS[fmt](data)
