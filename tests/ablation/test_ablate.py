from pathlib import Path

import pytest
import yaml

from adiff_bench.ablation import load_ablation_spec, run_ablation
from adiff_bench.cli.main import main
from adiff_bench.errors import AdiffBenchError, DataError, ModelError
from tests.core.helpers import write_task_csvs


def _spec(tmp_path: Path, rows: list[dict], **fields: object) -> Path:
    write_task_csvs(tmp_path / "data", tiers=(1, 2))
    path = tmp_path / "ablation.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "toy",
                "reference": "oracle",
                "tasks": [{"dataset": "acd", "tier": 1}, {"dataset": "acd", "tier": 2}],
                "metrics": ["ROUGE-L", "BLEU-1"],
                "n_resamples": 200,
                "defaults": {"data_dir": "data"},
                "rows": rows,
                **fields,
            }
        )
    )
    return path


ROWS = [
    {"name": "oracle", "model": "caption-oracle"},
    {"name": "constant", "model": "constant"},
    {"name": "echo", "model": "tests.core.plugin_models:EchoPrompt", "model_args": {"suffix": "a"}},
]


def test_ablation_table_reuses_finished_rows_and_reruns_an_edited_one(tmp_path: Path) -> None:
    spec = load_ablation_spec(_spec(tmp_path, ROWS), allow_code_models=True)
    assert spec.rows[0].specs[0].data_dir == str((tmp_path / "data").resolve())
    table, runs = run_ablation(spec, tmp_path / "out")
    assert not any(r.reused for r in runs) and len(runs) == 6
    assert table.columns == (
        ("acd-test-tier1", "BLEU-1"),
        ("acd-test-tier1", "ROUGE-L"),
        ("acd-test-tier2", "BLEU-1"),
        ("acd-test-tier2", "ROUGE-L"),
    )
    cell = table.cell("constant", "acd-test-tier2", "ROUGE-L")
    oracle = table.cell("oracle", "acd-test-tier2", "ROUGE-L")
    assert cell["delta"] == pytest.approx(cell["score"] - oracle["score"])
    assert cell["delta_ci"]["low"] <= cell["delta"] <= cell["delta_ci"]["high"]
    markdown = (tmp_path / "out" / "ablation.md").read_text()
    assert "| oracle |" in markdown and "(ref)" in markdown and "Holm" in markdown
    latex = (tmp_path / "out" / "ablation.tex").read_text()
    assert r"\toprule" in latex and r"\textbf{" in latex
    assert (tmp_path / "out" / "specs" / "echo.json").is_file()

    # same spec again: every run is reused
    _, again = run_ablation(spec, tmp_path / "out")
    assert all(r.reused for r in again)
    # edit one row: only that row runs again
    edited = [*ROWS[:2], {**ROWS[2], "model_args": {"suffix": "b"}}]
    _, third = run_ablation(load_ablation_spec(_spec(tmp_path, edited), allow_code_models=True), tmp_path / "out")
    assert {r.row for r in third if not r.reused} == {"echo"}


def test_bad_ablation_specs_are_clear(tmp_path: Path) -> None:
    path = _spec(tmp_path, [{"name": "a", "model": "constant", "colour": "red"}, {"name": "b", "model": "constant"}])
    with pytest.raises(DataError, match=r"rows\[0\]: unknown field\(s\) colour"):
        load_ablation_spec(path)
    path = _spec(tmp_path, [{"name": "a", "model": "constant"}, {"name": "b", "model": "constant"}])
    with pytest.raises(DataError, match="reference 'oracle' is not one of the rows"):
        load_ablation_spec(path)
    path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(DataError, match=r"ablation\.yaml:1: not valid UTF-8"):
        load_ablation_spec(path)
    path.write_text("rows: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML/JSON"):
        load_ablation_spec(path)


def test_cli_ablate_prints_the_table(tmp_path: Path, capsys) -> None:
    path = _spec(tmp_path, ROWS[:2])
    assert main(["ablate", str(path), "--output-dir", str(tmp_path / "cli"), "--quiet"]) == 0
    assert "## Ablation: toy" in capsys.readouterr().out


# --- hostile specs (issue 14): a spec is data ---------------------------------------------------------------


def test_a_spec_naming_code_is_refused_before_anything_is_imported(tmp_path: Path, monkeypatch) -> None:
    """``module:attr`` in a file runs code on import; refused unless the user opts in, before importing."""
    marker = tmp_path / "IMPORTED"
    (tmp_path / "planted_model.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n"
        "class M:\n    def fingerprint(self): return 'm'\n    def generate(self, requests): return []\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for model in ("os:system", "planted_model:M"):
        path = _spec(tmp_path, [{"name": "oracle", "model": "caption-oracle"}, {"name": "x", "model": model}])
        with pytest.raises(ModelError, match=r"rows\[1\]\.model: model .* names code to import and run.*--allow-code"):
            load_ablation_spec(path)
    assert not marker.exists()
    # opted in (flag or the spec's own field): imported and checked to be a Model class while loading
    assert load_ablation_spec(path, allow_code_models=True).trusted_code and marker.exists()
    echo = [ROWS[0], {"name": "x", "model": "tests.core.plugin_models:EchoPrompt"}]
    assert load_ablation_spec(_spec(tmp_path, echo, trust_code=True)).trusted_code


def test_a_trusted_spec_still_never_calls_a_non_model(tmp_path: Path, capsys) -> None:
    """Before the fix ``os:system`` was called with model_args as keyword arguments: the command ran."""
    victim = tmp_path / "PWNED"
    rows = [
        {"name": "oracle", "model": "caption-oracle"},
        {"name": "x", "model": "os:system", "model_args": {"command": f"touch {victim}"}},
    ]
    path = _spec(tmp_path, rows)
    code = main(["ablate", str(path), "--output-dir", str(tmp_path / "o"), "--quiet", "--allow-code-models"])
    err = capsys.readouterr().err
    assert code == 2 and "not a class implementing the Model interface" in err
    assert not victim.exists()


@pytest.mark.parametrize(
    "row_name, spec_name",
    [("../../../../ESCAPED_ROW", "toy"), ("/tmp/adiff_abs_row_escape", "../../ESCAPED_SPEC"), ("ok", "/tmp/x_spec")],
)
def test_names_never_become_paths(tmp_path: Path, monkeypatch, row_name: str, spec_name: str) -> None:
    work = tmp_path / "a" / "b" / "c" / "d"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    path = _spec(work, [{"name": "oracle", "model": "caption-oracle"}, {"name": row_name, "model": "constant"}],
                 name=spec_name)
    before = {p for p in tmp_path.rglob("*")}
    assert main(["ablate", str(path), "--quiet"]) == 0
    created = {p for p in tmp_path.rglob("*")} - before
    out_root = work / "adiff-runs"
    assert created and all(p.is_relative_to(out_root) for p in created), sorted(created)
    assert not Path("/tmp/adiff_abs_row_escape.json").exists() and not Path("/tmp/x_spec").exists()
    spec = load_ablation_spec(path)
    row = spec.rows[1]
    assert row.name == row_name and "/" not in row.slug and ".." not in row.slug
    assert (out_root / "ablations" / spec.slug / "specs" / f"{row.slug}.json").is_file()
    assert row_name in (out_root / "ablations" / spec.slug / "ablation.md").read_text()  # shown as written


def test_row_names_that_share_a_slug_are_refused(tmp_path: Path) -> None:
    path = _spec(tmp_path, [{"name": "oracle", "model": "caption-oracle"}, {"name": "Oracle!", "model": "constant"}])
    with pytest.raises(DataError, match="would share the file name 'oracle'"):
        load_ablation_spec(path)


TWO_ROWS = [{"name": "oracle", "model": "caption-oracle"}, {"name": "constant", "model": "constant"}]


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"tasks": 5}, r": tasks: expected a list"),
        ({"tasks": [{"dataset": "acd"}]}, r"tasks\[0\]: missing field 'tier'"),
        ({"tasks": [{"dataset": "acd", "tier": "two"}]}, r"tasks\[0\]\.tier: 'two' is not 1, 2 or 3"),
        ({"tasks": [{"dataset": "acd", "tier": 7}]}, r"tasks\[0\]\.tier: 7 is not 1, 2 or 3"),
        ({"tasks": [{"dataset": "acx", "tier": 2}]}, r"tasks\[0\]: unknown dataset 'acx'"),
        ({"tasks": [{"dataset": "acd", "tier": 2, "splt": "x"}]}, r"field\(s\) splt \(did you mean 'split'\?\)"),
        ({"seed": "abc"}, r": seed: 'abc' is not a whole number"),
        ({"n_resamples": 0}, r": n_resamples: 0 is not a whole number >= 1"),
        ({"defaults": ["a"]}, r": defaults: expected a mapping"),
        ({"defaults": {"limit": "abc"}}, r": defaults\.limit: 'abc' is not a positive whole number"),
        ({"defaults": {"seed": "abc"}}, r": defaults\.seed: 'abc' is not a whole number"),
        ({"defaults": {"batch_sise": 2}}, r"did you mean 'batch_size'"),
        ({"metrics": 7}, r": metrics: 7 is not a list of metric names"),
        ({"metrics": ["ROUGE-X"]}, r"rows\[0\]: unknown metric 'ROUGE-X'"),
        ({"refrence": "oracle"}, r"unknown field\(s\) refrence \(did you mean 'reference'\?\)"),
        ({"trust_code": "yes"}, r": trust_code: 'yes' is not true or false"),
        ({"rows": [TWO_ROWS[0]]}, r"needs at least two rows \(found 1\)"),
        ({"rows": "oracle"}, r"needs at least two rows"),
        ({"rows": [TWO_ROWS[0], "constant"]}, r"rows\[1\]: expected a mapping"),
        ({"rows": [TWO_ROWS[0], {**TWO_ROWS[1], "model_args": ["a"]}]}, r"rows\[1\]\.model_args: \['a'\] is not a"),
        ({"rows": [TWO_ROWS[0], {**TWO_ROWS[1], "model_args": {"a": [1]}}]}, r"rows\[1\]\.model_args"),
        ({"rows": [TWO_ROWS[0], {**TWO_ROWS[1], "limit": -3}]}, r"rows\[1\]\.limit: -3 is not a positive"),
        ({"rows": [TWO_ROWS[0], {**TWO_ROWS[1], "batch_size": "8"}]}, r"rows\[1\]\.batch_size: '8' is not a whole"),
        ({"rows": [TWO_ROWS[0], {**TWO_ROWS[1], "crop": "middle"}]}, r"rows\[1\]: --crop must be 'fixed' or 'random'"),
        ({"rows": [TWO_ROWS[0], {**TWO_ROWS[1], "model": "constnt"}]}, r"unknown model 'constnt'\. Did you mean"),
        ({"rows": [TWO_ROWS[0], {**TWO_ROWS[1], "model": 5}]}, r"rows\[1\]\.model: 5 is not a model name"),
        ({"rows": [TWO_ROWS[0], {**TWO_ROWS[1], "modle": "x"}]}, r"rows\[1\]: (each row needs|unknown)"),
    ],
)
def test_wrong_field_types_are_one_line_naming_the_field(tmp_path: Path, capsys, fields: dict, message: str) -> None:
    fields = dict(fields)
    path = _spec(tmp_path, fields.pop("rows", TWO_ROWS), **fields)
    with pytest.raises(AdiffBenchError, match=message):
        load_ablation_spec(path)
    out = tmp_path / "out"
    assert main(["ablate", str(path), "--output-dir", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("adiff-bench: error: ") and "Traceback" not in err
    assert not out.exists()  # checked before running: nothing written


def test_impossible_dates_and_alias_bombs_are_one_line(tmp_path: Path) -> None:
    path = _spec(tmp_path, TWO_ROWS)
    path.write_text(path.read_text() + "when: 2025-02-30\n")
    with pytest.raises(DataError, match=r"ablation\.yaml:\d+: not valid YAML/JSON \(impossible date '2025-02-30'"):
        load_ablation_spec(path)
    anchors = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    anchors += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb = (
        "name: bomb\nreference: oracle\ntasks: [{dataset: acd, tier: 2}]\nrows:\n"
        "  - {name: oracle, model: caption-oracle}\n"
        "  - {name: c, model: constant, description: {" + ", ".join(anchors) + "}}\n"
    )
    assert len(bomb.encode()) < 700  # the bomb was 584 bytes and wrote a 312 MB specs/c.json
    path.write_text(bomb)
    with pytest.raises(DataError, match=r"ablation\.yaml:6: expands to more than \d+ values through aliases"):
        load_ablation_spec(path)
