"""What a share link shows: scores and narrative, and nothing that tells who took the test.

The owner's report names the norm group chosen from their sex and age ("women aged 21
to 40") and explains the choice; a shared report must not. Its norms block says the same
words for everyone who took the instrument, and a scale compared with norms shows its
norm-referenced scores without the raw score: raw and T together give the norm group's
mean and SD (and SEM raw / SEM T its SD directly), which the published tables turn back
into sex and age band.
"""

from __future__ import annotations

from typing import Any

from insight_atlas.engine import UnknownInstrumentError, load_instrument

# Report fields a shared view may carry; anything else (answers, text signals, the
# demographics, identity) is left out by construction.
SHARED_FIELDS = (
    "instrument",
    "engine_version",
    "scales",
    "unscored_scales",
    "validity",
    "narrative",
    "disclaimer",
)
# The combined-norm rule explains how men's and women's groups are mixed: it describes
# the groups, which the shared view does not talk about.
_SHARED_METHOD_FIELDS = ("band_cutoffs", "interval_level", "pro_rating", "scoring")
_RAW_SCORE_FIELDS = ("raw",)
_RAW_INTERVAL_FIELDS = ("sem_raw", "raw_low", "raw_high")

MATCHED_NORMS = (
    "Compared with age- and sex-matched norms of this instrument where age and sex were"
    " given, and with its combined default norms otherwise."
)
SINGLE_GROUP = "One reference group for everyone who takes this instrument."
UNNORMED = "Not normed: raw scores only."
# Norms versions no longer shipped that had one group for everyone, with that group's
# status: a stored report keeps its norms, and its shared view keeps describing them.
RETIRED_SINGLE_GROUP_NORMS = {"mini-ipip-placeholder.1": "placeholder"}


def _norms_citation(instrument_key: str) -> str | None:
    try:
        return load_instrument(instrument_key).norms_citation
    except UnknownInstrumentError:
        return None


def neutral_norms(instrument_key: str, norms: dict[str, Any]) -> dict[str, Any]:
    """The norms block of a shared section: the same for everyone who took the instrument."""
    version = norms.get("version")
    if norms.get("group_id") is None:
        return {"version": version, "description": UNNORMED}
    if version in RETIRED_SINGLE_GROUP_NORMS:
        status = RETIRED_SINGLE_GROUP_NORMS[version]
        return {"version": version, "status": status, "description": SINGLE_GROUP}
    try:
        groups = tuple(load_instrument(instrument_key).norm_groups.values())
    except UnknownInstrumentError:
        groups = ()
    if len(groups) == 1:
        # One group for everyone: its status cannot depend on who answered.
        (group,) = groups
        return {"version": version, "status": group.status, "description": SINGLE_GROUP}
    # Derived norms' sample text (ages, N) stays in the owner's report, like the citation.
    return {"version": version, "description": MATCHED_NORMS}


def _shared_scale(scale: dict[str, Any]) -> dict[str, Any]:
    if scale.get("t") is None:
        return scale  # an un-normed score depends on the answers alone
    shared = {key: value for key, value in scale.items() if key not in _RAW_SCORE_FIELDS}
    interval = scale.get("interval")
    if isinstance(interval, dict):
        shared["interval"] = {
            key: value for key, value in interval.items() if key not in _RAW_INTERVAL_FIELDS
        }
    return shared


def _shared_section(body: dict[str, Any]) -> dict[str, Any]:
    instrument_key = str((body.get("instrument") or {}).get("key", ""))
    return {
        "instrument": body.get("instrument"),
        "norms": neutral_norms(instrument_key, body.get("norms") or {}),
        "scales": [_shared_scale(scale) for scale in body.get("scales", [])],
    }


def shared_report(body: dict[str, Any]) -> dict[str, Any]:
    """The shareable part of an engine report (`body`, as stored)."""
    shared = {key: body[key] for key in SHARED_FIELDS if key in body}
    shared.update(_shared_section(body))
    shared["method"] = {
        key: value
        for key, value in (body.get("method") or {}).items()
        if key in _SHARED_METHOD_FIELDS
    }
    # The norms source lists the sex and age groups; the owner's report keeps it.
    hidden_citations = {
        _norms_citation(str(section.get("instrument", {}).get("key", "")))
        for section in (body, *body.get("addons", {}).values())
    }
    shared["citations"] = {
        key: text
        for key, text in (body.get("citations") or {}).items()
        if key not in hidden_citations
    }
    shared["addons"] = {
        key: _shared_section(addon) for key, addon in (body.get("addons") or {}).items()
    }
    return shared
