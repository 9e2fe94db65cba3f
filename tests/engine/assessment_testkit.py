"""Shared constants and helpers for the assessment tests (no database, no network)."""

from __future__ import annotations

# Johnson's (2014) IPIP-NEO-120 key: the 55 reverse-keyed item numbers.
NEO_MINUS_KEYED = frozenset(
    {
        9, 19, 24, 30, 39, 40, 48, 49, 51, 53, 54, 60, 62, 67, 68, 69, 70, 73, 74, 75,
        78, 79, 80, 81, 83, 84, 85, 88, 89, 90, 92, 94, 96, 97, 98, 99, 100, 101, 102,
        103, 104, 105, 106, 107, 108, 109, 110, 111, 113, 114, 115, 116, 118, 119, 120,
    }
)  # fmt: skip
NEO_FACET_ORDER = [f"{d}{n}" for n in range(1, 7) for d in "NEOAC"]

# Mini-IPIP (Donnellan et al., 2006): reverse-keyed item numbers and trait cycle.
MINI_MINUS_KEYED = frozenset({6, 7, 8, 9, 10, 15, 16, 17, 18, 19, 20})
MINI_TRAIT_CYCLE = "EACNI"


def neo_id(number: int) -> str:
    return f"neo-{number:03d}"


def neo_facet(number: int) -> str:
    return NEO_FACET_ORDER[(number - 1) % 30]


def neo_keyed(number: int, answer: int) -> int:
    return 6 - answer if number in NEO_MINUS_KEYED else answer
