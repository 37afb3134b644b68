"""Task selection for multi-task runs: lists, 'all', and one-line errors with suggestions."""

import pytest

from adiff_bench.errors import DataError
from adiff_bench.suite.selection import parse_datasets, parse_tiers, task_specs


def test_lists_and_all() -> None:
    assert parse_tiers("all") == (1, 2, 3)
    assert parse_tiers("3,1,3") == (1, 3)
    assert parse_tiers(2) == (2,)
    assert parse_datasets("all") == ("acd", "cld")  # synth is generated, so it is asked for by name
    assert parse_datasets("CLD,acd,cld") == ("cld", "acd")
    names = [spec.name for spec in task_specs("acd,cld", "1,2")]
    assert names == ["acd-test-tier1", "acd-test-tier2", "cld-evaluation-tier1", "cld-evaluation-tier2"]


@pytest.mark.parametrize(
    ("datasets", "tiers", "split", "message"),
    [
        ("acd", "4", None, "unknown tier '4'"),
        ("acd", "1,", None, "has an empty entry"),
        ("acd", "two", None, "unknown tier 'two'"),
        ("adc", "1", None, "did you mean 'acd'"),
        ("acd,cld", "1", "test", "one dataset's split"),
        ("acd", "1", "evaluation", "has no split 'evaluation'"),
    ],
)
def test_bad_selections_are_one_line_errors(datasets: str, tiers: str, split: str | None, message: str) -> None:
    with pytest.raises(DataError, match=message) as caught:
        task_specs(datasets, tiers, split)
    assert "\n" not in str(caught.value)
