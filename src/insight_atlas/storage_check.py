"""Before `atlas serve` or `atlas db upgrade` starts: can the embedded database be written?

With the data directory read-only, on a full disk or under a path that is not a directory,
the service would otherwise fail inside its application factory (a traceback per worker,
and a supervisor restarting it in a loop) or on the first write of the first request.
One line naming the path and the reason, and a non-zero exit, say what to fix.
"""

from __future__ import annotations

import os
from pathlib import Path

from insight_atlas.private_files import prepare_sqlite_file, private_directory, sqlite_database_path
from insight_atlas.settings import Settings

# About one SQLite page: enough for a full disk to refuse it.
_PROBE_BYTES = 4096


def storage_problem(settings: Settings) -> str | None:
    """None when the data directory and a SQLite database file can be written; else why
    not, in one line. Other databases are checked by connecting to them, not here."""
    database = sqlite_database_path(settings.database_url)
    try:
        _writable_directory(settings.atlas_data_dir)
        if database is not None:
            prepare_sqlite_file(settings.database_url)
            with database.open("ab"):
                pass
            # SQLite writes its WAL and journal next to the file: its directory too.
            _writable_directory(database.parent)
    except OSError as exc:
        where = exc.filename or database or settings.atlas_data_dir
        return f"cannot write {where}: {exc.strerror or exc}"
    return None


def _writable_directory(path: Path) -> None:
    private_directory(path)
    probe = path / f".atlas-write-check-{os.getpid()}"
    try:
        with probe.open("wb") as handle:
            handle.write(b"\0" * _PROBE_BYTES)
            handle.flush()
            os.fsync(handle.fileno())
    finally:
        probe.unlink(missing_ok=True)
