"""Files only the service's own user may read: the data directory and what it holds.

The embedded default keeps answers, e-mail addresses, password hashes, the field
encryption key and outgoing mail (reset links) under ATLAS_DATA_DIR. Created with the
process umask (usually 022) they would be readable by every local account, so the
directory is made 0700 and every file in it 0600; an install made before this rule is
tightened when the service next starts.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sqlalchemy.engine import make_url

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
# What SQLite writes next to a database file: the WAL, its index, the rollback journal.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_directory(path: Path) -> Path:
    """`path` as a directory only its owner can enter (created or tightened)."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    _tighten(path, DIRECTORY_MODE)
    return path


def private_file(path: Path) -> Path:
    """`path` as a file only its owner can read: created empty with 0600, or tightened.

    Creating it before anyone writes to it means no other process ever sees it readable.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        _tighten(path, FILE_MODE)
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Write a new file that is 0600 from its first byte."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def sqlite_database_path(database_url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None  # URI filenames carry their own options; left as they are
    return Path(url.database)


def prepare_sqlite_file(database_url: str) -> None:
    """Create the SQLite file 0600 before SQLite opens it, or tighten the existing files.

    SQLite gives the WAL, shared-memory and journal files the mode of the database file,
    so a 0600 database keeps its companions 0600 too.
    """
    path = sqlite_database_path(database_url)
    if path is None:
        return
    if not path.parent.exists():
        private_directory(path.parent)
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            _tighten(companion, FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    """Remove the permission bits `mode` does not allow (a stricter mode stays)."""
    # A directory or file someone else owns (a mounted volume) cannot be changed by us;
    # the service still runs, with what the operator chose.
    with contextlib.suppress(PermissionError):
        current = path.stat().st_mode & 0o777
        if current & ~mode:
            path.chmod(current & mode)
