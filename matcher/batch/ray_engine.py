"""The Ray Data engine: the same `match_chunk` as the local engine, spread over a Ray cluster.

Each worker is an actor of `MatchWorker`, a callable class given to `map_batches`: it builds its
own Matcher (model, index, rules) once in its constructor and then matches one batch of needs
per call, so the model is loaded once per worker, not once per batch. Results come back in
survey order (`preserve_order`), which is what the runner's commit protocol needs, so a Ray run
is resumable exactly like a local one and writes the same bytes.

`ray.init()` starts a local cluster by default (`workers` actors on this machine); with
`ray_address` the run joins an existing cluster, whose nodes must have techmatch installed and
the index at the path the settings name (`TECHMATCH_INDEX_ROOT`).

Memory: the driver holds the needs' texts of the remaining rows (tens of MB for 100k rows,
handed to Ray's object store) but never more than a block of results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from matcher.batch.readers import SurveyNeed
from matcher.batch.runner import Chunk, MatchOptions, match_chunk
from matcher.errors import InputError
from matcher.settings import Settings

#: Most blocks a dataset is split into (each block is at least one chunk of needs).
MAX_BLOCKS = 2_000


class MatchWorker:
    """Callable class for `Dataset.map_batches`: one Matcher per Ray worker, built once."""

    def __init__(
        self, index_name: str, settings_json: str, options: dict[str, Any], version: str | None
    ) -> None:
        from matcher.matcher import Matcher

        settings = Settings.model_validate_json(settings_json)
        self.matcher = Matcher(index_name, settings=settings, version=version).warm_up()
        self.options = MatchOptions(**options)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        needs = [
            SurveyNeed(int(seq), int(row), str(nid), str(text), str(company))
            for seq, row, nid, text, company in zip(
                batch["seq"], batch["row"], batch["need_id"], batch["text"], batch["company"], strict=True
            )
        ]
        chunk = match_chunk(self.matcher, needs, self.options)
        return {"seq": np.array([s for s, _ in chunk], dtype=np.int64), "line": [line for _, line in chunk]}


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as e:
        raise InputError(
            "Chưa cài Ray: hãy cài gói tùy chọn bằng `pip install 'techmatch[ray]'` (ray[data]) "
            "hoặc chạy với --engine local."
        ) from e
    return ray


@dataclass
class RayEngine:
    """Runs `match_chunk` on `workers` Ray actors; yields chunks in survey order."""

    index_name: str
    settings: Settings
    options: MatchOptions
    chunk_size: int
    workers: int = 2
    ray_address: str | None = None
    version: str | None = None

    def run(self, needs: Iterable[SurveyNeed]) -> Iterator[Chunk]:
        items = [
            {"seq": n.seq, "row": n.row, "need_id": n.need_id, "text": n.text, "company": n.company}
            for n in needs
        ]
        if not items:
            return
        ray = _import_ray()
        started_here = not ray.is_initialized()
        if started_here:
            if self.ray_address:
                ray.init(address=self.ray_address, log_to_driver=False)
            else:
                ray.init(num_cpus=self.workers, include_dashboard=False, log_to_driver=False)
        try:
            yield from self._run(ray, items)
        finally:
            if started_here:
                ray.shutdown()

    def _run(self, ray: Any, items: list[dict[str, Any]]) -> Iterator[Chunk]:
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        blocks = min(MAX_BLOCKS, max(1, math.ceil(len(items) / self.chunk_size)))
        ds = ray.data.from_items(items, override_num_blocks=blocks).map_batches(
            MatchWorker,
            fn_constructor_kwargs={
                "index_name": self.index_name,
                "settings_json": self.settings.model_dump_json(),
                "options": {
                    "top_k": self.options.top_k,
                    "include_restricted": self.options.include_restricted,
                    "threshold": self.options.threshold,
                },
                "version": self.version,
            },
            batch_size=self.chunk_size,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            num_cpus=1,
        )
        for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
            yield [(int(s), str(line)) for s, line in zip(batch["seq"], batch["line"], strict=True)]
