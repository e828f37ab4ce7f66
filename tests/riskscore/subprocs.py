"""Helpers for tests that run mps in subprocesses against the test's own database."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connection


@contextlib.contextmanager
def shared_database(directory: Path) -> Iterator[str]:
    """A database URL for subprocesses holding what this (transactional) test wrote.

    PostgreSQL: the test database itself. SQLite: the in-memory test database is copied to a
    file under ``directory`` and, on leaving, the file is copied back so the test's ORM sees
    what the subprocesses wrote.
    """
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(settings["USER"] or "")
        password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
        host = settings["HOST"] or "127.0.0.1"
        port = settings["PORT"] or 5432
        yield f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
        return
    assert connection.vendor == "sqlite", connection.vendor
    path = directory / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    yield f"sqlite:///{path}"
    source = sqlite3.connect(path)
    source.backup(connection.connection)
    source.close()


def subprocess_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment for an `mps` subprocess: mps.settings, not the test settings."""
    env = {k: v for k, v in os.environ.items() if k != "MPS_TEST_DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="mps.settings",
        MPS_DEBUG="1",
        MPS_DATA_DIR=str(data_dir),
        MPS_DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env
