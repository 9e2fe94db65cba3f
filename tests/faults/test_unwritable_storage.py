"""The embedded default (SQLite under ATLAS_DATA_DIR) on storage that cannot be written:
`atlas serve` and `atlas db upgrade` stop at once with one line saying what and why, and a
non-zero exit, instead of a traceback (and a supervisor restarting it in a loop)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.live_server import free_port

ATLAS = str(Path(sys.executable).parent / "atlas")


def environment(directory: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ATLAS_ENV": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{directory / 'live.db'}",
        "ATLAS_DATA_DIR": str(directory / "data"),
        "REDIS_URL": "",
        "WEB_DIST_DIR": "off",
        "ENGINE_PROCESSES": "0",
    }


def commands() -> list[list[str]]:
    return [
        [ATLAS, "db", "upgrade"],
        [ATLAS, "serve", "--host", "127.0.0.1", "--port", str(free_port())],
    ]


def confined(setup: str) -> Callable[[list[str]], list[str]]:
    """Run a command in a private mount namespace after `setup` (mount commands): root
    ignores file permissions, but not a read-only or full file system."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare is missing: cannot make read-only storage for root")
    probe = subprocess.run(
        ["unshare", "-m", "true"], capture_output=True, timeout=10, check=False
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace (unshare -m): {probe.stderr.decode()[:200]}")
    return lambda command: [
        "unshare", "-m", "sh", "-c", f"{setup} && exec \"$@\"", "sh", *command,
    ]  # fmt: skip


def assert_refused(command: list[str], env: dict[str, str], reason: str) -> None:
    completed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0, output
    assert "Traceback" not in output, output
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: cannot write "), output
    assert reason in lines[0], output


def test_a_read_only_data_directory_stops_start_up_with_one_line(tmp_path: Path) -> None:
    directory = tmp_path / "read-only"
    directory.mkdir()
    env = environment(directory)
    if os.geteuid() == 0:
        quoted = shlex.quote(str(directory))
        wrap = confined(f"mount --bind {quoted} {quoted} && mount -o remount,bind,ro {quoted}")
        reason = "Read-only file system"
    else:
        directory.chmod(0o555)
        wrap, reason = (lambda command: command), "Permission denied"
    try:
        for command in commands():
            assert_refused(wrap(command), env, reason)
    finally:
        directory.chmod(0o755)
    assert not (directory / "live.db").exists()


def test_a_full_disk_stops_start_up_with_one_line(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    directory = tmp_path / "full"
    directory.mkdir()
    quoted = shlex.quote(str(directory))
    # A 256 KiB file system, filled to the last block before the service starts.
    wrap = confined(
        f"mount -t tmpfs -o size=256k tmpfs {quoted}"
        f" && (dd if=/dev/zero of={quoted}/filler bs=4k 2>/dev/null || true)"
    )
    for command in commands():
        assert_refused(wrap(command), environment(directory), "No space left on device")


def test_a_path_through_a_regular_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory should be\n")
    for command in commands():
        assert_refused(command, environment(blocker), "Not a directory")
