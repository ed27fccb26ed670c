"""The service's long-lived state: the live Matcher, the feedback store, background jobs.

The Matcher is built and warmed up once, in the app's lifespan. A catalog swap builds and warms
a *new* Matcher beside the live one and then replaces the reference under a lock: requests that
already hold the old Matcher finish on it, new requests get the new one, and no request ever
sees a half-loaded index. Routes take the Matcher once per request through `current()`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from api.errors import NotFoundError, NotReadyError, UnusableVersionError
from api.jobs import JobContext, JobRegistry
from api.schemas import IndexInfo, IndexVersion, IndexVersions
from matcher.catalog.tables import FORMATS
from matcher.embed.base import Embedder
from matcher.errors import IndexError_, InputError, TechmatchError
from matcher.feedback import FeedbackStore
from matcher.fileio import atomic_write_bytes
from matcher.index.store import IndexStore
from matcher.matcher import Matcher
from matcher.settings import Settings

T = TypeVar("T")
log = logging.getLogger("techmatch.api")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
CATALOG_SUFFIXES = tuple(FORMATS)  # every format the importer reads


class Service:
    """Owns the live Matcher and everything the routes share."""

    def __init__(
        self,
        settings: Settings,
        *,
        index_name: str | None = None,
        embedder: Embedder | None = None,
        matcher: Matcher | None = None,
    ) -> None:
        self.settings = settings
        self.index_name = index_name or (matcher.index_name if matcher else settings.default_index)
        self._embedder = embedder or (matcher.embedder if matcher else None)
        self._matcher = matcher
        self._swap_lock = threading.Lock()
        self.load_error: str | None = None
        self.store = IndexStore(settings.index_root)
        self.feedback = FeedbackStore.in_dir(settings.data_dir)
        self.jobs = JobRegistry(settings.data_dir / "jobs")

    # ---- lifecycle -------------------------------------------------------------------------
    def load(self) -> None:
        """Load model and index now (start-up). A failure leaves the service up but not ready,
        so /readyz can say why and an administrator can upload a catalog to fix it."""
        if self._matcher is not None:  # given ready-made (tests): warm it, once
            self._matcher.warm_up()
        else:
            try:
                matcher = Matcher(self.index_name, settings=self.settings, embedder=self._embedder).warm_up()
            except TechmatchError as e:
                self.load_error = str(e)
                log.error("techmatch is not ready: %s", e)
                return
            self._embedder = matcher.embedder
            self._matcher = matcher
            self.load_error = None
        self.resume_jobs()

    def resume_jobs(self) -> None:
        """Go on with the survey batches a restart interrupted, now that a Matcher is live.

        Called when the service becomes ready (start-up, or the first index swapped in after a
        failed start); they resume on the Matcher live at that moment.
        """
        from api.survey import survey_job

        matcher = self.current()
        resumed = self.jobs.resume("survey", lambda request: survey_job(matcher, request))
        if resumed:
            log.info("resumed %d interrupted survey job(s): %s", len(resumed), ", ".join(resumed))

    def close(self) -> None:
        self.jobs.shutdown()

    @property
    def ready(self) -> bool:
        return self._matcher is not None

    def current(self) -> Matcher:
        """The live Matcher; take it once per request and use that one reference throughout."""
        matcher = self._matcher
        if matcher is None:
            raise NotReadyError(
                "Dịch vụ chưa sẵn sàng: mô hình hoặc chỉ mục chưa được nạp. "
                + (self.load_error or "Vui lòng thử lại sau ít phút.")
            )
        return matcher

    def embedder(self) -> Embedder:
        if self._embedder is None:
            from matcher.embed.base import get_embedder

            self._embedder = get_embedder(self.settings)
        return self._embedder

    @staticmethod
    def index_info(matcher: Matcher) -> IndexInfo:
        m = matcher.index.manifest
        return IndexInfo(
            name=m.name, version=m.version, n_items=m.n_items, model_id=m.model_id, created_at=m.created_at
        )

    # ---- versions --------------------------------------------------------------------------
    def versions(self) -> IndexVersions:
        serving = self._matcher.index.manifest.version if self._matcher else None
        current = self.store.current_version(self.index_name)
        out = []
        for version in self.store.versions(self.index_name):
            m = self.store.read_manifest(self.index_name, version)
            out.append(
                IndexVersion(
                    version=version,
                    active=version == current,
                    serving=version == serving,
                    n_items=m.n_items,
                    created_at=m.created_at,
                    catalog_source=Path(m.catalog_source).name,
                    model_id=m.model_id,
                )
            )
        return IndexVersions(name=self.index_name, current=current, serving=serving, versions=out)

    def switch_to(self, version: str) -> IndexInfo:
        """Load `version` beside the live index, then make it active and live in one step."""
        if version not in self.store.versions(self.index_name):
            raise NotFoundError(
                f"Chỉ mục '{self.index_name}' không có phiên bản '{version}'. "
                f"Các phiên bản: {', '.join(self.store.versions(self.index_name)) or '(không có)'}."
            )
        fresh = Matcher(self.index_name, settings=self.settings, embedder=self.embedder(), version=version)
        try:
            fresh.warm_up()  # the slow part happens before the lock: queries keep flowing meanwhile
        except IndexError_ as e:  # that version is stale or damaged: a conflict, the service is fine
            raise UnusableVersionError(
                f"Không thể phục vụ phiên bản '{version}': {e} Chỉ mục đang dùng không đổi."
            ) from e
        with self._swap_lock:
            try:
                self.store.activate(self.index_name, version)
            except IndexError_ as e:  # removed meanwhile: the live index stays
                raise UnusableVersionError(f"Không thể phục vụ phiên bản '{version}': {e}") from e
            was_ready = self._matcher is not None
            self._matcher = fresh
            self.load_error = None
        log.info("index %s now serves version %s", self.index_name, version)
        if not was_ready:
            self.resume_jobs()
        return self.index_info(fresh)

    # ---- catalog upload --------------------------------------------------------------------
    def save_upload(self, filename: str, data: bytes) -> Path:
        """Keep the uploaded catalog: the index manifest points at it for staleness checks."""
        return self.store_upload("catalogs", filename, data, CATALOG_SUFFIXES, "danh mục")

    def store_upload(
        self, folder: str, filename: str, data: bytes, suffixes: tuple[str, ...], what: str
    ) -> Path:
        """Check an upload's extension and size, then keep it under `data_dir/folder`, atomically.

        The stored name is a timestamp plus the client's name reduced to safe characters, so a
        hostile file name can never choose where the file lands.
        """
        suffix = Path(filename or "").suffix.lower()
        if suffix not in suffixes:
            raise InputError(
                f"Định dạng tệp {what} không hỗ trợ: '{suffix or '(không có đuôi)'}'. "
                f"Hỗ trợ: {', '.join(suffixes)}."
            )
        if not data:
            raise InputError(f"Tệp {what} tải lên trống.")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        stem = _SAFE_NAME.sub("_", Path(filename).stem)[:60] or "upload"
        target = self.settings.data_dir / folder / f"{stamp}-{stem}{suffix}"
        atomic_write_bytes(target, data)
        return target

    def check_upload(self, path: Path, display_name: str, check: Callable[[Path], T]) -> T:
        """Run `check` on a stored upload; on failure delete it and explain in the client's terms.

        Readers name the file they read, which here is the server's stored path: the message
        says the client's own file name instead, and never shows where the server keeps files.
        """
        try:
            return check(path)
        except TechmatchError as e:
            path.unlink(missing_ok=True)
            raise type(e)(str(e).replace(str(path), display_name)) from e
        except Exception as e:  # a damaged file can fail inside openpyxl/csv with any error type
            path.unlink(missing_ok=True)
            raise InputError(
                f"Không đọc được tệp {display_name} ({type(e).__name__}): hãy kiểm tra định dạng tệp."
            ) from e

    def prune_versions(self) -> list[str]:
        """Keep the newest `keep_index_versions` index versions, and only the uploads they use.

        An uploaded catalog stays while some version of any index in the store was built from
        it (the staleness check reads it on every load); once none is, it goes with them. An
        upload younger than an hour always stays: it may be one still being validated for the
        next rebuild, which no version points at yet.
        """
        # a roll-back racing this prune either finds its version gone (409) or keeps it: the
        # store's version lock (IndexStore.changing_versions)
        removed = self.store.prune(self.index_name, self.settings.keep_index_versions)
        uploads = self.settings.data_dir / "catalogs"
        if removed and uploads.is_dir():
            used = set()
            for index_dir in self.store.root.iterdir():
                if not (index_dir / "versions").is_dir():
                    continue
                for version in self.store.versions(index_dir.name):
                    try:
                        used.add(Path(self.store.read_manifest(index_dir.name, version).catalog_source))
                    except (IndexError_, ValueError):  # unreadable or foreign folder: not ours to judge
                        continue
            fresh_after = time.time() - 3600
            for upload in uploads.iterdir():
                if upload.is_file() and upload.resolve() not in used and upload.stat().st_mtime < fresh_after:
                    upload.unlink(missing_ok=True)
        if removed:
            log.info("pruned %d old version(s) of index %s", len(removed), self.index_name)
        return removed

    def validate_catalog(self, path: Path) -> int:
        """Read the catalog with the importer now, so a bad file is refused before any job starts."""
        from matcher.catalog.readers import load_catalog

        loaded = load_catalog(path)
        if not loaded.technologies:
            raise InputError("Tệp danh mục không có công nghệ nào.")
        return len(loaded.technologies)

    def rebuild(self, catalog: Path, ctx: JobContext) -> dict[str, Any]:
        """Job body: build a new version beside the live one, then swap it in."""
        from matcher.index.build import build_index

        ctx.progress(0, 1, "Đang xây chỉ mục mới từ danh mục…")
        manifest = build_index(
            catalog,
            self.index_name,
            settings=self.settings,
            embedder=self.embedder(),
            activate=False,
            progress=lambda done, total: ctx.progress(
                done, total, f"Đang nhúng danh mục: {done}/{total} mục"
            ),
        )
        ctx.progress(manifest.n_items, manifest.n_items, "Đang nạp phiên bản mới…")
        try:
            info = self.switch_to(manifest.version)
        except TechmatchError:
            self.store.remove_version(self.index_name, manifest.version)
            raise
        self.prune_versions()
        return {
            "result": {"version": info.version, "n_items": info.n_items, "index": info.name},
            "message": f"Đã chuyển sang phiên bản {info.version} ({info.n_items} công nghệ).",
        }
