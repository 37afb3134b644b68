"""Audio-dependence probe: does a model's output change when its inputs change?

For a few pairs (A, B) the model explains (A, B), (B, A), (A, A), (silence, B) and (A, silence). A model that
reads both clips changes its text under swaps and mutes; one that returns the same text for all of them does
not use the audio (or uses it too weakly to matter), whatever its scores say. Captions and paths move with the
clips (swapped / duplicated), so caption-reading models are exposed by the mute conditions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from adiff_bench.errors import DataError
from adiff_bench.models.base import Model, Request

CONDITIONS: tuple[tuple[str, str], ...] = (
    ("swapped", "clips exchanged: (B, A)"),
    ("identical", "first clip twice: (A, A)"),
    ("mute_audio1", "first clip replaced by silence: (0, B)"),
    ("mute_audio2", "second clip replaced by silence: (A, 0)"),
)


@dataclass(frozen=True)
class PairProbe:
    item_id: str
    original: str
    variants: tuple[tuple[str, str], ...]  # (condition, text)

    def text(self, condition: str) -> str:
        return dict(self.variants)[condition]

    def changed(self, condition: str) -> bool:
        return self.text(condition) != self.original


@dataclass(frozen=True)
class ProbeResult:
    model: str
    fingerprint: str
    task: str
    pairs: tuple[PairProbe, ...]

    def changed_count(self, condition: str) -> int:
        return sum(p.changed(condition) for p in self.pairs)

    @property
    def depends_on_audio1(self) -> bool:
        return self.changed_count("mute_audio1") > 0

    @property
    def depends_on_audio2(self) -> bool:
        return self.changed_count("mute_audio2") > 0

    @property
    def order_sensitive(self) -> bool:
        return self.changed_count("swapped") > 0

    @property
    def ignores_audio(self) -> bool:
        return not any(self.changed_count(name) for name, _ in CONDITIONS)

    @property
    def verdict(self) -> str:
        if not self.pairs:
            return "no pairs probed"
        if self.ignores_audio:
            return "FLAGGED: the output never changed, so it does not depend on the audio"
        missing = [
            n for n, dep in (("audio 1", self.depends_on_audio1), ("audio 2", self.depends_on_audio2)) if not dep
        ]
        if missing:
            return f"partly: muting {' or '.join(missing)} never changed the output"
        return "depends on both clips"

    def to_json(self) -> dict[str, Any]:
        n = len(self.pairs)
        return {
            "model": self.model,
            "fingerprint": self.fingerprint,
            "task": self.task,
            "n_pairs": n,
            "conditions": {
                name: {"description": desc, "changed": self.changed_count(name), "of": n} for name, desc in CONDITIONS
            },
            "depends_on_audio1": self.depends_on_audio1,
            "depends_on_audio2": self.depends_on_audio2,
            "order_sensitive": self.order_sensitive,
            "ignores_audio": self.ignores_audio,
            "verdict": self.verdict,
            "pairs": [
                {
                    "item_id": p.item_id,
                    "original": p.original,
                    "variants": {c: {"text": t, "changed": t != p.original} for c, t in p.variants},
                }
                for p in self.pairs
            ],
        }

    def to_markdown(self) -> str:
        n = len(self.pairs)
        lines = [
            f"### Audio-dependence probe: {self.model} on {self.task}",
            "",
            f"{n} pair(s); a condition counts a pair when its output text differs from the original (A, B).",
            "",
            "| condition | what changes | output changed |",
            "| --- | --- | --- |",
        ]
        lines += [f"| {name} | {desc} | {self.changed_count(name)}/{n} |" for name, desc in CONDITIONS]
        lines += ["", f"**Verdict:** {self.verdict}", ""]
        for p in self.pairs:
            lines.append(f"- `{p.item_id}` original: {_quote(p.original)}")
            for condition, text in p.variants:
                mark = "changed" if text != p.original else "same"
                lines.append(f"  - {condition} ({mark}): {_quote(text)}")
        return "\n".join(lines) + "\n"


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _silence_like(audio: np.ndarray | None) -> np.ndarray | None:
    return None if audio is None else np.zeros_like(audio)


def variants_of(request: Request) -> list[tuple[str, Request]]:
    """The probe's conditions for one request (paths and captions move with their clips)."""
    r = request
    swap = dataclasses.replace(
        r, audio1=r.audio2, audio2=r.audio1, audio1_path=r.audio2_path, audio2_path=r.audio1_path,
        caption1=r.caption2, caption2=r.caption1,
    )  # fmt: skip
    same = dataclasses.replace(r, audio2=r.audio1, audio2_path=r.audio1_path, caption2=r.caption1)
    mute1 = dataclasses.replace(r, audio1=_silence_like(r.audio1))
    mute2 = dataclasses.replace(r, audio2=_silence_like(r.audio2))
    built = {"swapped": swap, "identical": same, "mute_audio1": mute1, "mute_audio2": mute2}
    return [(name, built[name]) for name, _ in CONDITIONS]


def probe_requests(model: Model, requests: Sequence[Request], task: str = "") -> ProbeResult:
    """Run every condition for every request in one ``generate`` call and compare texts."""
    batch: list[Request] = []
    for r in requests:
        batch.append(r)
        batch.extend(v for _, v in variants_of(r))
    texts = model.generate(batch)
    if len(texts) != len(batch):
        raise DataError(f"{model.name}: generate returned {len(texts)} texts for {len(batch)} requests")
    width = 1 + len(CONDITIONS)
    pairs = []
    for i, r in enumerate(requests):
        chunk = texts[i * width : (i + 1) * width]
        pairs.append(PairProbe(r.item_id, chunk[0], tuple(zip((n for n, _ in CONDITIONS), chunk[1:], strict=True))))
    return ProbeResult(model.name, model.fingerprint(), task, tuple(pairs))


def probe_task(
    model: Model,
    dataset: str,
    tier: int,
    split: str | None = None,
    n: int = 4,
    data_dir: str | Path | None = None,
    audio_root: str | Path | None = None,
    seed: int = 0,
) -> ProbeResult:
    """Probe ``n`` seeded pairs of a task, audio loaded by the harness pipeline as for a normal run."""
    from adiff_bench.data.tasks import load_task, make_task_spec, subset
    from adiff_bench.runs.requests import audio_policy, build_requests

    spec = make_task_spec(dataset, tier, split)
    task = load_task(spec, data_dir, audio_root)
    items = subset(task.items, n, seed)
    requests, _ = build_requests(items, task, model.needs, audio_policy(model.name, model.needs, task, seed=seed))
    return probe_requests(model, requests, spec.name)
