from __future__ import annotations

from pathlib import Path

import pytest

from adiff_bench.errors import DataError
from adiff_bench.human.ratings import load_study_dir, read_ratings
from adiff_bench.human.sample import sample_runs
from adiff_bench.human.study import default_study

from .helpers import make_run, ratings_csv

HEADER = ["rater", "blinded_id", "correctness", "granularity", "readability"]


@pytest.fixture()
def study(tmp_path: Path):
    runs = [make_run(tmp_path, s, n_items=4) for s in ("sys-a", "sys-b")]
    sample_runs(runs, n=4, seed=0, out=tmp_path / "study", study=default_study())
    return load_study_dir(tmp_path / "study")


def _write(path: Path, header, rows) -> Path:
    path.write_text(ratings_csv(header, rows), encoding="utf-8")
    return path


def test_good_file_reads_and_missing_cells_are_counted(tmp_path: Path, study) -> None:
    spec, key, _ = study
    ids = list(key)
    rows = [["ann", bid, 3, 4, 5] for bid in ids[:-1]] + [["ann", ids[-1], "", "2", " 4.0 "]]
    ratings = read_ratings([_write(tmp_path / "r.csv", HEADER, rows)], spec, key)
    assert ratings.raters == ("ann",)
    assert len(ratings.ratings) == 3 * len(ids) - 1
    assert ratings.missing == {"ann": 1} and ratings.missing_examples == (f"ann: {ids[-1]}/correctness",)
    assert {r.score for r in ratings.ratings if r.blinded_id == ids[-1]} == {2, 4}


def test_a_sheet_without_rater_column_is_rated_by_the_file_name(tmp_path: Path, study) -> None:
    spec, key, _ = study
    header = ["blinded_id", "prompt", "explanation", "correctness", "granularity", "readability", "comment"]
    rows = [[bid, "p", "e", 1, 2, 3, "fine"] for bid in key]
    ratings = read_ratings([_write(tmp_path / "bob.csv", header, rows)], spec, key)
    assert ratings.raters == ("bob",) and ratings.missing == {"bob": 0}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["ann", "u_nope", 3, 3, 3], r"r\.csv, row 3, column blinded_id: unknown id 'u_nope'"),
        (["ann", "{id}", 3, 7, 3], r"r\.csv, row 3, column granularity: '7' is not a whole number from 1 to 5"),
        (["ann", "{id}", "good", 3, 3], r"r\.csv, row 3, column correctness: 'good' is not a whole number"),
        (["ann", "{id}", 3, 3, 2.5], r"r\.csv, row 3, column readability: '2\.5'"),
        (["ann", "{id}", 0, 3, 3], r"r\.csv, row 3, column correctness: '0'"),
        (["", "{id}", 3, 3, 3], r"r\.csv, row 3, column rater: empty"),
        (["ann", "", 3, 3, 3], r"r\.csv, row 3, column blinded_id: empty"),
        (["ann", "{id}", 3, 3], r"r\.csv, row 3: 5 columns expected"),
        (["ann", "{id}", 3, 3, 3, 3], r"r\.csv, row 3: 5 columns expected"),
        (
            ["ann", "{first}", "", 3, ""],
            r"r\.csv, row 3, column granularity: rater 'ann' already rated '\w+' on "
            r"granularity \(.*r\.csv, row 2\); keep one rating per rater × item × criterion",
        ),
    ],
)
def test_malformed_rows_name_file_row_and_column(tmp_path: Path, study, row, message) -> None:
    spec, key, _ = study
    ids = list(key)
    good = ["ann", ids[0], 3, 3, 3]
    bad = [str(c).format(id=ids[1], first=ids[0]) for c in row]
    path = _write(tmp_path / "r.csv", HEADER, [good, bad])
    with pytest.raises(DataError, match=message) as info:
        read_ratings([path], spec, key)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_duplicate_across_files_and_missing_columns(tmp_path: Path, study) -> None:
    spec, key, _ = study
    bid = next(iter(key))
    one = _write(tmp_path / "one.csv", HEADER, [["ann", bid, 3, 3, 3]])
    two = _write(tmp_path / "two.csv", HEADER, [["carl", bid, 3, 3, 3], ["ann", bid, 4, "", ""]])
    with pytest.raises(DataError, match=r"two\.csv, row 3, column correctness: rater 'ann' already rated"):
        read_ratings([one, two], spec, key)
    short = _write(tmp_path / "short.csv", ["rater", "blinded_id", "correctness"], [["ann", bid, 3]])
    with pytest.raises(DataError, match=r"short\.csv, row 1: missing column\(s\) granularity, readability"):
        read_ratings([short], spec, key)
    empty = _write(tmp_path / "empty.csv", HEADER, [["ann", bid, "", "", ""]])
    with pytest.raises(DataError, match="no ratings in"):
        read_ratings([empty], spec, key)
    (tmp_path / "latin1.csv").write_bytes(b"rater,blinded_id,correctness,granularity,readability\nJos\xe9,x,1,1,1\n")
    with pytest.raises(DataError, match=r"latin1\.csv, row 2: not valid UTF-8"):
        read_ratings([tmp_path / "latin1.csv"], spec, key)


def test_a_study_folder_without_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"study\.json not found: pass the folder written by"):
        load_study_dir(tmp_path)
