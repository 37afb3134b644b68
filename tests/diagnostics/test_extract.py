from __future__ import annotations

import pytest

from adiff_bench.diagnostics.extract import CONFLICT, extract

A1, A2 = "audio1_higher", "audio2_higher"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Audio 1 is louder and higher-pitched, while Audio 2 is quieter and lower-pitched.",
            {"loudness": A1, "pitch": A1},
        ),
        ("Audio 2 is louder than Audio 1.", {"loudness": A2}),
        ("Compared with Audio 2, Audio 1 is quieter.", {"loudness": A2}),
        ("The second recording is brighter than the first.", {"brightness": A2}),
        ("The pitch is higher in Audio 2.", {"pitch": A2}),
        ("In the first audio the tempo is faster.", {"tempo": A1}),
        ("Audio 1 has more background noise, whereas the second clip is cleaner.", {"noise": A1}),
        ("Audio 1 has a quieter background hiss than Audio 2.", {"noise": A2}),
        (
            "Audio 2 contains more events, and Audio 1 lasts longer and is more reverberant.",
            {"event_count": A2, "duration": A1, "reverb": A1},
        ),
        ("The first audio is loud, while the second is quiet.", {"loudness": A1}),
        ("The former sounds dry, whereas the latter is reverberant.", {"reverb": A2}),
        ("Audio one is slower. Audio two, by contrast, is duller.", {"tempo": A2, "brightness": A1}),
        ("Audio 1 features a rattling noise. It is louder than the other.", {"loudness": A1}),
        ("The tone is higher-pitched in Audio 1 than in Audio 2.", {"pitch": A1}),
        ("Audio 1 is louder than in Audio 2.", {"loudness": A1}),
        ("Audio 2's pitch is lower, and the first clip's rhythm is faster.", {"pitch": A1, "tempo": A1}),
    ],
)
def test_directions(text: str, expected: dict[str, str]) -> None:
    assert extract(text).directions == expected


@pytest.mark.parametrize(
    "text",
    [
        "Audio 1 is not louder than Audio 2.",
        "Audio 2 isn't any brighter than Audio 1.",
        "Both audios are equally loud.",
        "Audio 1 is as loud as Audio 2.",
        "Audio 1 features a bird, while Audio 2 features a dog barking.",
        "Audio 1 is loud.",  # a plain adjective on one clip is description, not a difference
        "Both are high-pitched.",
        "The sound is louder.",  # no clip named: not attributable
    ],
)
def test_nothing_stated(text: str) -> None:
    assert extract(text).directions == {}


def test_negation_leaves_the_rest() -> None:
    found = extract("Audio 1 is not louder than Audio 2, but it is brighter.")
    assert found.directions == {"brightness": A1}


def test_contradiction_is_a_conflict() -> None:
    assert extract("Audio 1 is louder. Audio 1 is quieter than Audio 2.").directions == {"loudness": CONFLICT}


@pytest.mark.parametrize(
    "text",
    [
        "There is no notable difference between the two audios.",
        "The two clips are identical.",
        "They sound the same.",
        "I cannot hear any difference between them.",
    ],
)
def test_no_difference(text: str) -> None:
    found = extract(text)
    assert found.says_no_difference and not found.directions


def test_no_difference_claim_with_a_difference_is_not_no_difference() -> None:
    found = extract("There is no notable difference, except that Audio 2 is louder.")
    assert found.directions == {"loudness": A2} and not found.says_no_difference
