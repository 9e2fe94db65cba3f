"""atlasctl's exit codes: one table, shown in `atlasctl --help` and the README."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    NOT_SIGNED_IN = 3
    UNREACHABLE = 4
    UPGRADE_REQUIRED = 5
    INCOMPLETE = 6
    INTERRUPTED = 130


MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "done",
    ExitCode.FAILED: "the API refused (its message and request id are shown), or you said no",
    ExitCode.USAGE: "wrong option, argument or input file",
    ExitCode.NOT_SIGNED_IN: "not signed in to this API, or the sign-in expired",
    ExitCode.UNREACHABLE: "cannot reach the API (or what answered is not the API)",
    ExitCode.UPGRADE_REQUIRED: "the plan does not include this (see 'atlasctl upgrade')",
    ExitCode.INCOMPLETE: "take: the input ended before the last question; answers saved",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C); take saves the answers given first",
}


def epilog() -> str:
    # "\b" keeps click from re-wrapping the table into one paragraph.
    lines = [f"  {int(code):>3}  {meaning}" for code, meaning in MEANINGS.items()]
    return "\b\nExit codes:\n" + "\n".join(lines)
