"""The Parquet store: one directory per organisation, swapped atomically on each import.

Layout under the costs directory:

    <org>/current -> gen-<id>                    (symlink, replaced atomically)
    <org>/gen-<id>/manifest.json                 (snapshots and every checksum ever imported)
    <org>/gen-<id>/provider=<slug>/billing_month=<YYYY-MM>/snapshot=<key>/*.parquet

An import builds a new generation (hard links to the snapshots it keeps, its own new files), then
points `current` at it: readers see the old data or the new, never a mix, and a crash leaves the
old generation in place (issue 6: "a file is all in or all out"). Reconverting rows to NOK after
new exchange rates (reconvert.py) publishes the rewritten snapshots the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mps.costs.engine.results import Snapshot

CURRENT = "current"
# How DuckDB reads the store's partition directories: their values stay text. By default it
# guesses types, and a snapshot key of sixteen digits (a hex digest without a letter, about one
# in 1,800) would come back as a BIGINT, so the manifest would hold a number for that snapshot.
HIVE_READ = "hive_partitioning = true, hive_types_autocast = false"
MANIFEST = "manifest.json"
_ORG_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class StoreError(ValueError):
    pass


@dataclass
class Manifest:
    snapshots: list[Snapshot] = field(default_factory=list)
    checksums: list[str] = field(default_factory=list)  # every file ever imported, for idempotency

    def to_json(self) -> str:
        return json.dumps(
            {"snapshots": [asdict(s) for s in self.snapshots], "checksums": self.checksums},
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls([Snapshot(**s) for s in data["snapshots"]], list(data["checksums"]))


def snapshot_dir(s: Snapshot) -> str:
    return f"provider={s.provider_slug}/billing_month={s.billing_month}/snapshot={s.key}"


class OrgStore:
    """The billing data of one organisation."""

    def __init__(self, costs_dir: Path, org: str) -> None:
        if not _ORG_KEY.match(org):
            raise StoreError(f"organisation key {org!r} must be 1–64 letters, digits, _ or -")
        self.root = Path(costs_dir) / org
        self.org = org

    @property
    def current(self) -> Path:
        return self.root / CURRENT

    def parquet_glob(self) -> str:
        return str(self.current / "**" / "*.parquet")

    def has_data(self) -> bool:
        return self.current.exists() and any(self.current.glob("provider=*"))

    def manifest(self) -> Manifest:
        path = self.current / MANIFEST
        if not path.exists():
            return Manifest()
        return Manifest.from_json(path.read_text())

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One import at a time per organisation (an advisory lock on a file)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def new_staging_dir(self) -> Path:
        """A fresh directory on the same file system, so that moving files in is a rename."""
        path = self.root / f"staging-{uuid.uuid4().hex}"
        path.mkdir(parents=True)
        return path

    def commit(self, staging: Path, new: list[Snapshot], checksum: str) -> list[Snapshot]:
        """Publish the staged snapshots; return the older snapshots they replace.

        A snapshot replaces an older one with the same provider, billing account and billing
        period (the same key): providers write many full snapshots per period.
        """
        old = self.manifest()
        new_keys = {s.key for s in new}
        replaced = [s for s in old.snapshots if s.key in new_keys]
        kept = [s for s in old.snapshots if s.key not in new_keys]
        self._publish(staging, kept, new, Manifest(kept + new, [*old.checksums, checksum]))
        return replaced

    def replace_files(self, staging: Path, keys: set[str]) -> str:
        """Publish rewritten files of existing snapshots (same rows, same manifest); return the
        new generation's name.

        `staging` holds each rewritten snapshot's directory (snapshot_dir) in full; the other
        snapshots are linked unchanged. No checksum is added: no file was imported. Call it
        under `locked()`, like an import.
        """
        old = self.manifest()
        unknown = keys - {s.key for s in old.snapshots}
        if unknown:
            raise StoreError(f"no such snapshot(s): {', '.join(sorted(unknown))}")
        kept = [s for s in old.snapshots if s.key not in keys]
        rewritten = [s for s in old.snapshots if s.key in keys]
        return self._publish(staging, kept, rewritten, old)

    def _publish(
        self, staging: Path, kept: list[Snapshot], staged: list[Snapshot], manifest: Manifest
    ) -> str:
        """Build a generation of `kept` (hard links) and `staged` (moved from staging), then
        point `current` at it: readers see the old generation or the new, never a mix."""
        generation = self.root / f"gen-{uuid.uuid4().hex}"
        generation.mkdir()
        current = self.current.resolve() if self.current.exists() else None
        for s in kept:
            assert current is not None
            source = current / snapshot_dir(s)
            target = generation / snapshot_dir(s)
            target.mkdir(parents=True)
            for file in source.iterdir():
                os.link(file, target / file.name)
        for s in staged:
            source = staging / snapshot_dir(s)
            target = generation / snapshot_dir(s)
            target.parent.mkdir(parents=True, exist_ok=True)
            source.rename(target)
        (generation / MANIFEST).write_text(manifest.to_json())
        link = self.root / f"{CURRENT}.{uuid.uuid4().hex}"
        link.symlink_to(generation.name)
        link.replace(self.current)  # rename(2) over the old symlink is atomic
        shutil.rmtree(staging, ignore_errors=True)
        self.collect_garbage()
        return generation.name

    def collect_garbage(self) -> None:
        """Remove generations and staging directories nothing points at (also after a crash)."""
        live = self.current.resolve().name if self.current.exists() else None
        for path in self.root.iterdir():
            stale = path.is_dir() and not path.is_symlink() and path.name != live
            if stale and path.name.startswith(("gen-", "staging-")):
                shutil.rmtree(path, ignore_errors=True)
