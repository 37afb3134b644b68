"""Data-parallel generation under ``accelerate launch`` (or torchrun): one process per device.

Each rank generates its share of the unfinished items into its own shard file; rank 0 merges the shards
into predictions.jsonl (de-duplicated), scores, and shares the record. A failure on any rank is
gathered and raised on every rank, so no process waits forever on a collective.
"""

from __future__ import annotations

import atexit
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from adiff_bench.errors import AdiffBenchError
from adiff_bench.runs import store

T = TypeVar("T")
SHARD_GLOB = "predictions.rank*.jsonl"


class RankFailed(AdiffBenchError):
    """Another rank (or this one) failed; the message names the rank and its error."""


@dataclass(frozen=True)
class DistContext:
    rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def gather(self, value: Any) -> list[Any]:
        if not self.distributed:
            return [value]
        import torch.distributed as dist

        out: list[Any] = [None] * self.world_size
        dist.all_gather_object(out, value)
        return out

    def agree(self, step: Callable[[], T], what: str) -> T:
        """Run ``step`` on every rank; if it fails anywhere, raise the first failure everywhere."""
        result: T | None = None
        failure: str | None = None
        try:
            result = step()
        except Exception as exc:  # reported to every rank below, then re-raised
            failure = str(exc) or type(exc).__name__
            if not self.distributed:
                raise
        statuses = self.gather(failure)
        for rank, message in enumerate(statuses):
            if message is not None:
                raise RankFailed(f"rank {rank} of {self.world_size} failed during {what}: {message}")
        return result  # type: ignore[return-value]

    def share_from_main(self, value: T | None) -> T:
        return self.gather(value)[0]


def current_context() -> DistContext:
    """Read the launcher's environment; start the process group (via accelerate) when there are several ranks."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return DistContext()
    from adiff_bench.extras import require

    torch = require("torch", extra="dist")
    PartialState = require("accelerate", extra="dist").PartialState  # noqa: N806

    # Without GPUs accelerate only forms a (gloo) process group when asked for CPU explicitly; on GPUs it
    # pins each process to its own device, so a model's device="cuda" lands on the rank's GPU.
    state = PartialState(cpu=not torch.cuda.is_available())
    if state.num_processes != world:
        raise RankFailed(
            f"WORLD_SIZE is {world} but accelerate formed a group of {state.num_processes}; "
            "launch with `accelerate launch --multi_gpu --num_processes N -m adiff_bench run ...`"
        )
    _leave_group_at_exit()
    return DistContext(rank=state.process_index, world_size=state.num_processes)


@functools.cache
def _leave_group_at_exit() -> None:
    """Shut the process group down before the interpreter does: a rank that exits with gloo's threads still
    running dies with "terminate called without an active exception" (SIGABRT) although its work is done."""

    def leave() -> None:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()

    atexit.register(leave)


def shard_path(run_dir: Path, ctx: DistContext) -> Path:
    if not ctx.distributed:
        return run_dir / store.PREDICTIONS_FILE
    return run_dir / f"predictions.rank{ctx.rank}.jsonl"


def merge_shards(run_dir: Path) -> int:
    """Fold every shard into predictions.jsonl, keeping the first record per id; returns records added.

    Safe to repeat after a crash: records already merged are skipped, shards are removed only afterwards.
    """
    main_path = run_dir / store.PREDICTIONS_FILE
    shards = sorted(run_dir.glob(SHARD_GLOB))
    if not shards:
        return 0
    seen = {r.item_id for r in store.read_predictions(main_path, repair=True).records}
    added = []
    for shard in shards:
        for record in store.read_predictions(shard, repair=True).records:
            if record.item_id not in seen:
                seen.add(record.item_id)
                added.append(record)
    with store.PredictionWriter(main_path) as writer:
        writer.write_batch(added)
    for shard in shards:
        shard.unlink()
    return len(added)
