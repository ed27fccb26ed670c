"""After a catalog swap the service keeps a few index versions and only the uploads they use."""

from __future__ import annotations

import os
import time
from pathlib import Path

from api.service import Service
from matcher.index.store import IndexStore
from matcher.settings import Settings


def _version(store: IndexStore, source: Path) -> str:
    with store.writing("swap") as (tmp, version):
        (tmp / "a.bin").write_text(source.name)
        IndexStore.finish_manifest(
            tmp,
            {
                "name": "swap",
                "version": version,
                "created_at": "now",
                "model_id": "m",
                "dim": 3,
                "pipeline_version": "1",
                "catalog_checksum": "c",
                "catalog_source": str(source.resolve()),
                "catalog_file_sha256": "s",
                "n_items": 1,
                "dense_kind": "flat",
            },
        )
    return version


def test_old_versions_and_their_uploads_go_fresh_uploads_stay(tmp_path: Path) -> None:
    settings = Settings(index_root=tmp_path / "indexes", data_dir=tmp_path / "data", keep_index_versions=2)
    service = Service(settings, index_name="swap")
    uploads = settings.data_dir / "catalogs"
    uploads.mkdir(parents=True)
    sources = [uploads / f"{i}.csv" for i in range(4)]
    for path in sources:
        path.write_text("Mã,Tên\n", encoding="utf-8")
        old = time.time() - 7200
        os.utime(path, (old, old))
    versions = [_version(service.store, path) for path in sources[:3]]
    service.store.activate("swap", versions[-1])
    in_flight = uploads / "next.csv"  # being validated for the next rebuild: no version uses it yet
    in_flight.write_text("Mã,Tên\n", encoding="utf-8")

    assert service.prune_versions() == versions[:1]
    assert service.store.versions("swap") == versions[1:]
    assert not sources[0].exists()  # its only version is gone
    assert sources[1].exists() and sources[2].exists()  # still used
    assert not sources[3].exists()  # used by no version, an hour old: gone with the prune
    assert in_flight.exists()
    service.close()
