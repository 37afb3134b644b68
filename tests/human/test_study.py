from __future__ import annotations

import pytest

from adiff_bench.errors import DataError
from adiff_bench.human.study import DEFAULT_STUDY_JSON, default_study, load_study, parse_study

from .helpers import REPO


def test_default_study_is_adiffs_three_criteria_with_an_anchor_per_point() -> None:
    study = default_study()
    assert study.criterion_names == ("correctness", "granularity", "readability")
    assert study.points == (1, 2, 3, 4, 5)
    for criterion in study.criteria:
        assert [p for p, _ in criterion.anchors] == [1, 2, 3, 4, 5]
        assert all(text for _, text in criterion.anchors)


def test_template_yaml_loads_and_matches_the_default() -> None:
    study = load_study(REPO / "human_eval" / "study_template.yaml")
    assert study == default_study()


def test_missing_anchor_names_the_field(tmp_path) -> None:
    data = {**DEFAULT_STUDY_JSON, "criteria": [dict(DEFAULT_STUDY_JSON["criteria"][0])]}
    data["criteria"][0]["anchors"] = {"1": "bad", "5": "good"}
    with pytest.raises(DataError, match=r"criteria\[0\]\.anchors: every point 1\.\.5 .*missing \[2, 3, 4\]"):
        parse_study(data, "s.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"scale": {"min": 3, "max": 3}}, "scale.max"),
        ({"criteria": []}, "non-empty list"),
        ({"criteria": [{"name": "blinded_id", "anchors": {}}]}, "reserved"),
        ({"criteria": [{"name": "Bad Name", "anchors": {}}]}, "criteria\\[0\\].name"),
    ],
)
def test_bad_study_fields_are_named(change, message) -> None:
    with pytest.raises(DataError, match=message):
        parse_study({**DEFAULT_STUDY_JSON, **change}, "s.yaml")


def test_bad_yaml_file_is_one_line(tmp_path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("criteria: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML"):
        load_study(path)


def test_rater_instructions_carry_every_anchor() -> None:
    text = (REPO / "human_eval" / "INSTRUCTIONS.md").read_text(encoding="utf-8")
    for criterion in default_study().criteria:
        assert f"### {criterion.label}" in text and criterion.question in text
        for point, anchor in criterion.anchors:
            assert f"| {point} | {anchor} |" in text
