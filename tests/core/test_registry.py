from importlib.metadata import EntryPoint

import pytest

from adiff_bench.errors import ModelError
from adiff_bench.models import registry
from adiff_bench.models.base import Request
from adiff_bench.models.registry import build_model, parse_model_args


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(ModelError, match=r"unknown model 'caption-orcale'\. Did you mean 'caption-oracle'"):
        build_model("caption-orcale")


def test_module_class_reference_and_typed_arguments() -> None:
    model = build_model("tests.core.plugin_models:EchoPrompt", {"suffix": "x", "die_after_batches": "0"})
    assert model.die_after == 0 and model.suffix == "x"
    assert model.generate([Request("id1", "hello", 2)]) == ["hello for id1 x"]


def test_bad_argument_value_and_unknown_argument_are_errors_not_dropped() -> None:
    with pytest.raises(ModelError, match=r"die_after_batches='many' is not a valid int"):
        build_model("tests.core.plugin_models:EchoPrompt", {"die_after_batches": "many"})
    with pytest.raises(ModelError, match=r"has no argument 'sufix'\. Did you mean 'suffix'"):
        build_model("tests.core.plugin_models:EchoPrompt", {"sufix": "x"})


def test_object_without_the_interface_is_refused() -> None:
    with pytest.raises(ModelError, match="does not implement the Model interface"):
        build_model("tests.core.plugin_models:NotAModel")


def test_parse_model_args() -> None:
    assert parse_model_args("a=1, b = two,") == {"a": "1", "b": "two"}
    with pytest.raises(ModelError, match="'oops' is not key=value"):
        parse_model_args("a=1,oops")
    with pytest.raises(ModelError, match="'a' is given twice"):
        parse_model_args("a=1,a=2")


def test_entry_point_plugins_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = EntryPoint(name="echo", value="tests.core.plugin_models:EchoPrompt", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry, "entry_points", lambda group: [plugin] if group == registry.ENTRY_POINT_GROUP else [])
    assert "echo" in registry.available_models()
    assert build_model("echo").name == "echo-prompt"


def test_weight_free_models_are_tier_aware() -> None:
    oracle = build_model("caption-oracle")
    constant = build_model("constant")
    request = Request("i", "p", 1, caption1="A dog barks.", caption2="Rain falls")
    short, long = oracle.generate([request, Request("i", "p", 3, caption1="A dog barks.", caption2="Rain falls")])
    assert short == "Audio 1 features a dog barks, while Audio 2 features rain falls."
    assert len(long) > len(short)
    assert oracle.needs.needs_captions and not constant.needs.needs_captions
    assert len({t for t in (constant.generate([Request("i", "p", t)])[0] for t in (1, 2, 3))}) == 3


def test_importing_the_package_stays_light() -> None:
    import subprocess
    import sys

    code = "import sys, adiff_bench.cli.main, adiff_bench.models.registry; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "name, message",
    [
        ("os:path", "is a module, not a class"),
        ("os", "unknown model 'os'"),
        ("just some words", "unknown model"),
        (":", "is not package.module:Class"),
        ("json:", "is not package.module:Class"),
        ("..:x", "is not package.module:Class"),
        ("builtins:print", "is a builtin_function_or_method, not a class"),
        ("builtins:dict", "dict has no fingerprint, generate"),
        ("json:JSONDecodeError", "has no fingerprint, generate"),
        ("no_such_module_xyz:Model", "cannot import no_such_module_xyz"),
    ],
)
def test_model_references_that_are_not_model_classes_are_one_error(name: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        build_model(name)


def test_a_function_is_never_called_as_a_model(tmp_path) -> None:
    """``os:system`` with model_args {command: ...} ran the command before the interface check."""
    victim = tmp_path / "PWNED"
    with pytest.raises(ModelError, match="not a class implementing the Model interface"):
        build_model("os:system", {"command": f"touch {victim}"})
    assert not victim.exists()


def test_a_module_failing_on_import_is_one_error(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken_plugin.py").write_text("raise RuntimeError('plugin bug')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModelError, match=r"importing broken_plugin failed \(RuntimeError: plugin bug\)"):
        build_model("broken_plugin:Model")


def test_code_references_from_files_are_refused_before_import() -> None:
    registry.refuse_code_reference("constant", "spec.yaml: rows[0].model")
    with pytest.raises(ModelError, match=r"spec\.yaml: rows\[0\]\.model: model 'os:system' names code"):
        registry.refuse_code_reference("os:system", "spec.yaml: rows[0].model")
    with pytest.raises(ModelError, match="unknown model 'constnt'"):
        registry.refuse_code_reference("constnt", "spec.yaml")
