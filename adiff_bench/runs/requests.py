"""Items to model requests: one builder for runs and probes (audio loaded only for models that listen)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from adiff_bench.data.tasks import Item, Task
from adiff_bench.errors import DataError
from adiff_bench.models.base import ModelNeeds, Request

if TYPE_CHECKING:
    from adiff_bench.audio.clipcache import ClipCache
    from adiff_bench.audio.encodings import ClipEncodings
    from adiff_bench.audio.pipeline import AudioPolicy


@dataclass(frozen=True)
class ClipReuse:
    """Per-clip work shared by every task a model runs on: each clip is read and resampled once (``clips``),
    and encoded once by a model that offers ``encode_clips`` (``encodings``; a no-op for other models)."""

    clips: ClipCache
    encodings: ClipEncodings

    @classmethod
    def for_model(cls, model: Any) -> ClipReuse:
        from adiff_bench.audio.clipcache import ClipCache
        from adiff_bench.audio.encodings import ClipEncodings

        return cls(ClipCache(), ClipEncodings(model))


def audio_policy(
    model_name: str, needs: ModelNeeds, task: Task, crop: str = "fixed", seed: int = 0
) -> AudioPolicy | None:
    """The audio policy for a model that listens (None for one that does not); the audio root must be known."""
    if not needs.needs_audio:
        return None
    if task.audio_root is None:
        raise DataError(
            f"model {model_name!r} listens to the audio: pass --audio-root, the folder the CSV's "
            "filepath1/filepath2 are relative to"
        )
    from adiff_bench.audio.pipeline import AudioPolicy

    return AudioPolicy.for_model(needs, crop=crop, seed=seed)


def build_requests(
    items: Sequence[Item],
    task: Task,
    needs: ModelNeeds,
    policy: AudioPolicy | None,
    *,
    prompt: str | None = None,
    skip_bad_audio: bool = False,
    clips: ClipCache | None = None,
) -> tuple[list[Request], list[dict]]:
    """Requests for ``items`` and the items skipped for bad audio (only with ``skip_bad_audio``); with ``clips``
    each distinct clip is read once."""
    requests: list[Request] = []
    skipped: list[dict] = []
    for item in items:
        audio1 = audio2 = None
        if policy is not None:
            from adiff_bench.audio.pipeline import BadAudioError, load_clip, resolve_audio_path

            load = clips.load if clips is not None else load_clip
            try:
                audio1 = load(resolve_audio_path(task.audio_root, item.audio1), policy, key=item.audio1)
                audio2 = load(resolve_audio_path(task.audio_root, item.audio2), policy, key=item.audio2)
            except BadAudioError as exc:
                if not skip_bad_audio:
                    raise DataError(f"{exc} (item {item.item_id}; pass --on-bad-audio skip to skip it)") from exc
                skipped.append({"id": item.item_id, "reason": str(exc)})
                continue
        captions = needs.needs_captions
        requests.append(
            Request(
                item_id=item.item_id,
                prompt=prompt if prompt is not None else item.prompt,
                tier=item.task.tier,
                audio1_path=item.audio1,
                audio2_path=item.audio2,
                audio1=audio1,
                audio2=audio2,
                caption1=item.caption1 if captions else None,
                caption2=item.caption2 if captions else None,
            )
        )
    return requests, skipped
