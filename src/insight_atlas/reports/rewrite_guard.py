"""Checks a language model's rewrite of a narrative must pass before anyone sees it.

The rewrite is all or nothing: one failing statement refuses the whole rewrite, and the
original narrative is what the person keeps. Each refusal names its reason and, where
there is one, the statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from insight_atlas.engine.narrative import guard_violations

# A rewritten statement may be at most this much longer than its source: plain language
# explains, but a statement that doubles is adding claims of its own.
GROWTH_FACTOR = 2
GROWTH_ALLOWANCE_CHARS = 80
MAX_STATEMENT_CHARS = 1000

# Digits, with an optional decimal part ("45", "72.5", "0,5").
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True, slots=True)
class SourceStatement:
    id: str
    text: str
    # Numbers the statement may mention besides its own: the percentiles sent with it.
    allowed_numbers: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # a stable code: missing_statement, added_statement, changed_number, …
    message: str
    statement_id: str | None = None


def numbers_in(text: str) -> set[float]:
    return {float(match.group(0).replace(",", ".")) for match in _NUMBER.finditer(text)}


def check_rewrite(
    sources: Iterable[SourceStatement], rewritten: Mapping[str, str]
) -> Refusal | None:
    """The first reason to refuse `rewritten`, or None when every statement passes."""
    by_id = {source.id: source for source in sources}
    missing = [statement_id for statement_id in by_id if statement_id not in rewritten]
    if missing:
        return Refusal(
            "missing_statement",
            f"The rewrite left out statement {missing[0]!r}.",
            missing[0],
        )
    added = [statement_id for statement_id in rewritten if statement_id not in by_id]
    if added:
        return Refusal(
            "added_statement",
            f"The rewrite added a statement the report does not have ({added[0][:40]!r}).",
            None,
        )
    for statement_id, source in by_id.items():
        refusal = check_statement(source, rewritten[statement_id])
        if refusal is not None:
            return refusal
    return None


def check_statement(source: SourceStatement, text: str) -> Refusal | None:
    if not text.strip():
        return Refusal("empty_statement", f"Statement {source.id!r} came back empty.", source.id)
    limit = min(MAX_STATEMENT_CHARS, GROWTH_FACTOR * len(source.text) + GROWTH_ALLOWANCE_CHARS)
    if len(text) > limit:
        return Refusal(
            "too_long",
            f"Statement {source.id!r} grew to {len(text)} characters (at most {limit}).",
            source.id,
        )
    # A number the source does not state is a claim the engine never made.
    allowed = numbers_in(source.text) | set(source.allowed_numbers)
    new_numbers = sorted(numbers_in(text) - allowed)
    if new_numbers:
        shown = ", ".join(f"{n:g}" for n in new_numbers[:3])
        return Refusal(
            "changed_number",
            f"Statement {source.id!r} states numbers its source does not ({shown}).",
            source.id,
        )
    # The same guard as the engine's own sentences: no diagnostic terms, no certainty,
    # and still hedged.
    problems = guard_violations(text)
    if problems:
        diagnostic = [p for p in problems if p.startswith("forbidden term")]
        return Refusal(
            "diagnostic_language" if diagnostic else "certainty_language",
            f"Statement {source.id!r} fails the language guard: {(diagnostic or problems)[0]}.",
            source.id,
        )
    return None
