"""Text normalisation applied to every hypothesis and reference before tokenization.

pycocoevalcap joins all captions with ``\\n`` and feeds them to the line-preserving PTB tokenizer, then
pairs output lines with items by position. Any other line break inside a caption (``\\r``, ``\\x0b``,
``\\x0c``, ``\\u2028``, ``\\u2029``; Python also splits on ``\\x1c-\\x1e`` and ``\\x85``) makes an extra
line and silently shifts every later item onto the wrong reference. Replacing them with spaces is
score-neutral: the tokenizer treats a space and these characters alike inside a line.
"""

from __future__ import annotations

# Every character str.splitlines() breaks on; the Java tokenizer breaks on a subset of them.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_TO_SPACE = str.maketrans(dict.fromkeys(LINE_BREAKS, " "))


def normalize_text(s: str) -> str:
    """One caption, guaranteed to stay on one line: each line-break character becomes one space."""
    return s.translate(_TO_SPACE)
