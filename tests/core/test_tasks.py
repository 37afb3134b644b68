from pathlib import Path

import pytest

from adiff_bench.data.tasks import load_task, make_task_spec, subset
from adiff_bench.errors import DataError

from .helpers import write_task_csvs


def test_official_acd_test_tier2_loads_with_stable_ids(official_data: Path) -> None:
    tier1 = load_task(make_task_spec("acd", 1), official_data)
    tier2 = load_task(make_task_spec("acd", 2), official_data)
    assert len(tier2.items) == 4680
    assert tier2.items[0].item_id == "acd-test-00000"
    # the same id names the same audio pair in every tier
    for a, b in zip(tier1.items, tier2.items, strict=True):
        assert a.item_id == b.item_id and a.clips == b.clips
    assert tier1.items[0].prompt != tier2.items[0].prompt


def test_default_splits_are_the_test_splits() -> None:
    assert make_task_spec("acd", 2).split == "test"
    assert make_task_spec("cld", 1).split == "evaluation"


@pytest.mark.parametrize(
    ("dataset", "tier", "split", "message"),
    [("xyz", 2, None, "unknown dataset 'xyz'"), ("acd", 7, None, "unknown tier"), ("acd", 2, "dev", "no split 'dev'")],
)
def test_bad_task_names_are_clear(dataset, tier, split, message) -> None:
    with pytest.raises(DataError, match=message):
        make_task_spec(dataset, tier, split)


def test_missing_file_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"acd_test_adiff_sentence_answer.csv not found .*data fetch"):
        load_task(make_task_spec("acd", 2), tmp_path)


def test_misaligned_tier_files_are_refused(tmp_path: Path) -> None:
    write_task_csvs(tmp_path, tiers=(2,))
    rows = [
        {
            "taskname": "t",
            "filepath1": f"x{i}.wav",
            "filepath2": f"y{i}.wav",
            "caption1": "a",
            "caption2": "b",
            "input": "",
            "answer": "",
        }
        for i in range(6)
    ]
    write_task_csvs(tmp_path, rows=rows, tiers=(1,))
    with pytest.raises(DataError, match=r"acd_test_adiff_sentence_answer.csv:2: pair differs .*row-aligned"):
        load_task(make_task_spec("acd", 2), tmp_path)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    (tmp_path / "acd_test_adiff_sentence_answer.csv").write_text("taskname,filepath1,filepath2,caption1\n1,2,3,4\n")
    with pytest.raises(DataError, match=r"sentence_answer.csv:1: missing column\(s\) caption2, input, answer"):
        load_task(make_task_spec("acd", 2), tmp_path)


def test_non_utf8_names_the_line(tmp_path: Path) -> None:
    write_task_csvs(tmp_path, tiers=(2,))
    path = tmp_path / "acd_test_adiff_sentence_answer.csv"
    data = path.read_bytes().split(b"\n")
    data[3] = data[3].replace(b"dog", b"d\xffg")
    path.write_bytes(b"\n".join(data))
    with pytest.raises(DataError, match=r"sentence_answer.csv:4: not valid UTF-8"):
        load_task(make_task_spec("acd", 2), tmp_path)


def test_empty_answer_names_row_and_field(tmp_path: Path) -> None:
    write_task_csvs(tmp_path, tiers=(2,))
    path = tmp_path / "acd_test_adiff_sentence_answer.csv"
    lines = path.read_text().splitlines()
    fields = lines[2].split(",")
    lines[2] = ",".join(fields[:-1] + ['"  "'])
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"sentence_answer.csv:3: field 'answer' is empty"):
        load_task(make_task_spec("acd", 2), tmp_path)


def test_limit_is_a_seeded_random_subset(official_data: Path) -> None:
    items = load_task(make_task_spec("acd", 2), official_data).items
    first = subset(items, 50, seed=1)
    assert first == subset(items, 50, seed=1)
    assert first != subset(items, 50, seed=2)
    assert [i.item_id for i in first] != [i.item_id for i in items[:50]]
    assert [i.item_id for i in first] == sorted(i.item_id for i in first)


def test_tier_files_are_parsed_once_until_their_content_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adiff_bench.data import tasks

    data = write_task_csvs(tmp_path / "data")
    parsed: list[str] = []
    real_parse = tasks._parse_rows
    monkeypatch.setattr(tasks, "_parse_rows", lambda path: parsed.append(path.name) or real_parse(path))
    first = load_task(make_task_spec("acd", 2), data)
    load_task(make_task_spec("acd", 2), data)
    assert len(parsed) == len(set(parsed))  # each tier file parsed once for both loads and their checks
    tier2 = first.csv_path
    text = tier2.read_text(encoding="utf-8")
    old = first.items[0].reference
    tier2.write_text(text.replace(old, old[::-1], 1), encoding="utf-8")  # same size, new content, same instant
    assert load_task(make_task_spec("acd", 2), data).items[0].reference == old[::-1]


def _row(i: int, **overrides: str) -> dict:
    return {
        "taskname": "t",
        "filepath1": f"a{i}.wav",
        "filepath2": f"b{i}.wav",
        "caption1": "a dog",
        "caption2": "rain",
        "input": "",
        "answer": "",
        **overrides,
    }


def test_a_field_over_the_csv_limit_names_the_file_and_line(tmp_path: Path) -> None:
    """A 131,073-character caption was a ``_csv.Error`` traceback."""
    rows = [_row(0), _row(1), _row(2, caption1="x" * 131_073)]
    folder = write_task_csvs(tmp_path, rows=rows, tiers=(2,))
    with pytest.raises(DataError, match=r"acd_test_adiff_sentence_answer\.csv:4: field larger than field limit"):
        load_task(make_task_spec("acd", 2), folder)


def test_an_unsafe_audio_path_names_the_csv_line(tmp_path: Path) -> None:
    rows = [_row(0), _row(1, filepath2="../../etc/passwd")]
    folder = write_task_csvs(tmp_path / "data", rows=rows, tiers=(2,))
    with pytest.raises(DataError, match=r"sentence_answer\.csv:3: audio filepath '\.\./\.\./etc/passwd'"):
        load_task(make_task_spec("acd", 2), folder, tmp_path / "audio")
    # without an audio root nothing is read from disk, so the CSV still loads (caption-only models)
    assert len(load_task(make_task_spec("acd", 2), folder).items) == 2
