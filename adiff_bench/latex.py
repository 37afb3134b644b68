"""One LaTeX escaper for every table the harness writes (names and notes are arbitrary user text)."""

from __future__ import annotations

import re

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "α": r"\ensuremath{\alpha}",
    "χ": r"\ensuremath{\chi}",
    "²": r"\ensuremath{^2}",
    "τ": r"\ensuremath{\tau}",
    "ρ": r"\ensuremath{\rho}",
    "Δ": r"\ensuremath{\Delta}",
    "×": r"\ensuremath{\times}",
    "−": "--",
}


def latex_escape(text: object) -> str:
    """Text safe inside a table cell or caption; runs of whitespace (newlines included) become one space."""
    value = re.sub(r"\s+", " ", str(text)).strip()
    return "".join(_SPECIALS.get(ch, ch) for ch in value)
