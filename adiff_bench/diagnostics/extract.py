"""A small rule-based reader of explanations: which attribute differences are stated, in which direction.

It recognises comparatives ("louder", "higher-pitched", "more reverberant", "fewer events", "the pitch
is higher"), attributes them to a clip by the nearest preceding mention ("Audio 1", "the first audio",
"the latter"; "than Audio 2" / "compared with Audio 2" name the other clip, "higher in Audio 2" names
its own), drops negated ones ("not louder", "no more events"), and reads contrasting plain adjectives
("Audio 1 is loud, while Audio 2 is quiet") as a difference only when the two clips get opposite ones.
See diagnostics/README.md for what it cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adiff_bench.data.synth.attributes import ATTRIBUTES, AUDIO1_HIGHER, AUDIO2_HIGHER

CONFLICT = "conflict"

_CLIP = r"(?:audio|clip|recording|sound|sample|track|example|file)s?"
_SUBJECTS = (
    ("1", rf"\b(?:{_CLIP}\s*(?:#\s*)?(?:1|one)\b|the\s+first(?:\s+(?:{_CLIP}|one))?\b|the\s+former\b)"),
    ("2", rf"\b(?:{_CLIP}\s*(?:#\s*)?(?:2|two)\b|the\s+second(?:\s+(?:{_CLIP}|one))?\b|the\s+latter\b)"),
    (
        "B",
        r"\b(?:both(?:\s+(?:audios|clips|recordings|sounds))?|the\s+two\s+(?:audios|clips|recordings|sounds)|neither)\b",
    ),
)
_COMPARATOR = re.compile(
    r"\b(?:than|compared\s+(?:with|to)|relative\s+to|versus|vs\.?|unlike)\s+(?:that\s+of\s+|in\s+|for\s+)?⟨([12B])⟩"
)
_POSTFIX = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:in|for|within|on)\s+⟨([12])⟩")
_NEGATION = re.compile(r"\b(?:not|no|never|neither|nor|without|hardly|barely|cannot)\b|n't\b")
_HEDGE = re.compile(r"\b(?:equally|same|similar|as)\W*$")
_NO_DIFFERENCE = re.compile(
    r"\bno\s+(?:(?:notable|noticeable|significant|audible|clear|real|obvious|major|discernible|perceptible|"
    r"apparent)\s+)?differences?\b|\b(?:identical|indistinguishable)\b|\b(?:sound|are|seem|is)\s+(?:exactly\s+|"
    r"virtually\s+|essentially\s+)?the\s+same\b|\bcannot\s+(?:hear|detect|find)\s+any\s+(?:notable\s+)?difference"
)

_LOUD_NOUN = r"(?:volume|loudness|level|amplitude|intensity)"
_PITCH_NOUN = r"(?:pitch|pitches|fundamental|register)"
_TEMPO_NOUN = r"(?:tempo|pace|rate|rhythm)"
_EVENT_NOUN = (
    r"(?:(?:distinct|separate|discrete|individual|sound|short|transient|noise)\s+)*"
    r"(?:events?|sounds|bursts|hits|clicks|chirps|occurrences|onsets)\b"
)
_NOISE_NOUN = r"(?:background\s+)?(?:noise|hiss|static|rumble)(?:\s+floor)?\b"
_MORE = r"(?:more|higher|greater|larger|stronger|increased)"
_LESS = r"(?:less|lower|smaller|weaker|reduced|fewer)"

# (pattern, attribute, +1 = the subject has more, -1 = less). Earlier patterns win overlaps.
_COMPARATIVES: tuple[tuple[str, str, int], ...] = (
    (rf"\b(?:noisier|{_MORE}\s+{_NOISE_NOUN}|(?:louder|stronger|heavier)\s+background)", "noise", 1),
    (rf"\b(?:cleaner|{_LESS}\s+{_NOISE_NOUN}|(?:quieter|softer|fainter|weaker)\s+background)", "noise", -1),
    (rf"\b{_NOISE_NOUN}\s+(?:is|are|sounds?)?\s*(?:much\s+|slightly\s+)?(?:higher|louder|stronger)", "noise", 1),
    (rf"\b{_NOISE_NOUN}\s+(?:is|are|sounds?)?\s*(?:much\s+|slightly\s+)?(?:lower|quieter|weaker)", "noise", -1),
    (r"\b(?:more\s+frequent|faster|quicker|speedier|more\s+rapid|higher\s+(?:tempo|pace|rate))", "tempo", 1),
    (r"\b(?:less\s+frequent|slower|lower\s+(?:tempo|pace|rate))", "tempo", -1),
    (rf"\b{_TEMPO_NOUN}\s+(?:is|are)\s+(?:much\s+|slightly\s+)?(?:faster|higher|quicker)", "tempo", 1),
    (rf"\b{_TEMPO_NOUN}\s+(?:is|are)\s+(?:much\s+|slightly\s+)?(?:slower|lower)", "tempo", -1),
    (rf"\b(?:busier|{_MORE}\s+{_EVENT_NOUN}|additional\s+{_EVENT_NOUN}|extra\s+{_EVENT_NOUN})", "event_count", 1),
    (rf"\b(?:sparser|{_LESS}\s+{_EVENT_NOUN})", "event_count", -1),
    (rf"\b(?:higher[- ]pitched|higher\s+(?:in\s+)?{_PITCH_NOUN}|shriller)", "pitch", 1),
    (rf"\b(?:lower[- ]pitched|lower\s+(?:in\s+)?{_PITCH_NOUN}|deeper)", "pitch", -1),
    (rf"\b{_PITCH_NOUN}\s+(?:is|are|sounds?)\s+(?:much\s+|slightly\s+|noticeably\s+)?higher", "pitch", 1),
    (rf"\b{_PITCH_NOUN}\s+(?:is|are|sounds?)\s+(?:much\s+|slightly\s+|noticeably\s+)?lower", "pitch", -1),
    (r"\b(?:louder|more\s+(?:intense|powerful)|(?:higher|greater|larger)\s+" + _LOUD_NOUN + ")", "loudness", 1),
    (r"\b(?:quieter|softer|fainter|less\s+(?:loud|intense)|(?:lower|smaller)\s+" + _LOUD_NOUN + ")", "loudness", -1),
    (rf"\b{_LOUD_NOUN}\s+(?:is|are)\s+(?:much\s+|slightly\s+|noticeably\s+)?higher", "loudness", 1),
    (rf"\b{_LOUD_NOUN}\s+(?:is|are)\s+(?:much\s+|slightly\s+|noticeably\s+)?lower", "loudness", -1),
    (
        r"\b(?:brighter|sharper\s+timbre|more\s+(?:treble|high[- ]frequency\s+(?:content|energy))|less\s+muffled)",
        "brightness",
        1,
    ),
    (r"\b(?:duller|darker|more\s+muffled|less\s+bright|mellower)", "brightness", -1),
    (r"\b(?:more\s+(?:reverberant|echoey|echoing|reverb|echo|reverberation|spacious)|wetter)", "reverb", 1),
    (r"\b(?:drier|less\s+(?:reverberant|echoey|reverb|echo|reverberation))", "reverb", -1),
    (r"\b(?:longer(?:[- ]lasting)?|lasts\s+longer|more\s+sustained)", "duration", 1),
    (r"\b(?:shorter|briefer)", "duration", -1),
)
# Plain adjectives count only when the two clips receive opposite ones.
_PLAIN: tuple[tuple[str, str, int], ...] = (
    (r"\bloud\b(?!\s+as)", "loudness", 1),
    (r"\bquiet\b", "loudness", -1),
    (r"\bhigh[- ]pitched\b", "pitch", 1),
    (r"\blow[- ]pitched\b", "pitch", -1),
    (r"\bbright\b", "brightness", 1),
    (r"\b(?:dull|dark|muffled)\b", "brightness", -1),
    (r"\b(?:fast|rapid|quick)\b", "tempo", 1),
    (r"\bslow\b", "tempo", -1),
    (r"\bnoisy\b", "noise", 1),
    (r"\bclean\b", "noise", -1),
    (r"\b(?:reverberant|echoey|echoing)\b", "reverb", 1),
    (r"\bdry\b", "reverb", -1),
)
_COMPILED = tuple((re.compile(p), a, s) for p, a, s in _COMPARATIVES)
_COMPILED_PLAIN = tuple((re.compile(p), a, s) for p, a, s in _PLAIN)
_SUBJECT_PATTERNS = tuple((tag, re.compile(p)) for tag, p in _SUBJECTS)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\s*;\s*|\n+")


@dataclass(frozen=True)
class Extraction:
    directions: dict[str, str]  # attribute -> audio1_higher | audio2_higher | conflict
    says_no_difference: bool

    @property
    def stated(self) -> set[str]:
        return set(self.directions)


def _mark_subjects(sentence: str) -> str:
    for tag, pattern in _SUBJECT_PATTERNS:
        sentence = pattern.sub(f"⟨{tag}⟩", sentence)
    return sentence


def _subject_at(sentence: str, start: int, end: int, carried: str | None) -> str | None:
    post = _POSTFIX.match(sentence[end : end + 40])
    if post:
        return post.group(1)
    before = re.findall(r"⟨([12B])⟩", sentence[:start])
    if before:
        return before[-1]
    after = re.search(r"⟨([12B])⟩", sentence[end:])
    return after.group(1) if after else carried


def _matches(sentence: str, patterns: tuple) -> list[tuple[int, int, str, int]]:
    taken: list[tuple[int, int]] = []
    found = []
    for pattern, attribute, sign in patterns:
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), attribute, sign))
    return found


def _negated(sentence: str, start: int) -> bool:
    """A negation among the three words before the cue, or "equally/as" right before it."""
    window = " ".join(sentence[:start].split()[-3:])
    return bool(_NEGATION.search(window) or _HEDGE.search(window))


def extract(text: str) -> Extraction:
    """Stated differences in one explanation (see the module docstring for the rules)."""
    votes: dict[str, set[str]] = {}
    plain: dict[str, dict[str, set[int]]] = {}
    carried: str | None = None
    lowered = text.lower().replace("’", "'")
    says_none = bool(_NO_DIFFERENCE.search(lowered))
    for raw in _SENTENCE_SPLIT.split(lowered):
        sentence = _COMPARATOR.sub(" ⟨ref⟩", _mark_subjects(raw))
        for start, end, attribute, sign in sorted(_matches(sentence, _COMPILED)):
            subject = _subject_at(sentence, start, end, carried)
            if subject not in ("1", "2") or _negated(sentence, start):
                continue
            higher = subject if sign > 0 else ("2" if subject == "1" else "1")
            votes.setdefault(attribute, set()).add(AUDIO1_HIGHER if higher == "1" else AUDIO2_HIGHER)
        covered = [(s, e) for s, e, _, _ in _matches(sentence, _COMPILED)]
        for start, end, attribute, sign in _matches(sentence, _COMPILED_PLAIN):
            if any(start < e and s < end for s, e in covered):
                continue
            subject = _subject_at(sentence, start, end, carried)
            if subject in ("1", "2") and not _negated(sentence, start):
                plain.setdefault(attribute, {"1": set(), "2": set()})[subject].add(sign)
        mentions = re.findall(r"⟨([12B])⟩", sentence)
        if mentions:
            carried = mentions[-1]
    for attribute, by_clip in plain.items():
        if attribute in votes:
            continue
        s1, s2 = by_clip["1"], by_clip["2"]
        if len(s1) == 1 and len(s2) == 1 and s1 != s2:
            votes[attribute] = {AUDIO1_HIGHER if s1 == {1} else AUDIO2_HIGHER}
    directions = {a: (next(iter(v)) if len(v) == 1 else CONFLICT) for a, v in votes.items()}
    ordered = {a: directions[a] for a in ATTRIBUTES if a in directions}
    return Extraction(ordered, says_none and not ordered)
