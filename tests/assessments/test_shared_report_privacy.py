"""A shared report tells nothing about who took the test: no demographics, no identity."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from helpers.api import TEST_PASSWORD, bearer, login, unique_email
from helpers.flows import SAMPLE_TEXT, complete_report, make_pro

DENIED_KEYS = {
    # what the norm choice was made from, and what it revealed
    "group_id",
    "group_label",
    "reason",
    "sex",
    "age",
    "gender",
    "demographics",
    "combined_norm_rule",
    # identity and what the person wrote
    "id",
    "user_id",
    "assessment_id",
    "email",
    "display_name",
    "answers",
    "timings",
    "free_text",
    "text_signals",
}
DENIED_WORDS = re.compile(r"\b(?:wo)?m[ae]n'?s?\b|\b(?:fe)?males?\b|\bgirls?\b|\bboys?\b", re.I)
AGE_BANDS = re.compile(
    r"under[ _]21|over[ _]60|\b21(?:_| to |-|–)40\b|\b41(?:_| to |-|–)60\b|\baged?\s+\d", re.I
)
# Outside bibliographic citations (page ranges), no number range at all.
NUMBER_RANGE = re.compile(r"\b\d{1,3}\s*(?:-|–|to)\s*\d{1,3}\b")


def leaks(value: Any, markers: list[str], path: str = "$") -> list[str]:
    """Every place in `value` that names a demographic, an identity or the free text."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in DENIED_KEYS:
                found.append(f"{path}: key {key!r}")
            found += leaks(item, markers, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += leaks(item, markers, f"{path}[{index}]")
    elif isinstance(value, str):
        checks = [DENIED_WORDS, AGE_BANDS]
        if not path.startswith("$.report.citations."):
            checks.append(NUMBER_RANGE)
        found += [f"{path}: {value!r}" for check in checks if check.search(value)]
        found += [f"{path}: {marker!r}" for marker in markers if marker.lower() in value.lower()]
    return found


def normed_scales_with_raw(shared: dict[str, Any]) -> list[str]:
    """Raw and T together give the norm group's mean and SD, hence sex and age band."""
    sections = [shared["report"], *shared["report"]["addons"].values()]
    return [
        scale["key"]
        for section in sections
        for scale in section["scales"]
        if scale.get("t") is not None
        and ("raw" in scale or {"sem_raw", "raw_low", "raw_high"} & set(scale["interval"] or {}))
    ]


async def shared_document(
    client: httpx.AsyncClient, app: FastAPI, instrument: str, **demographics: Any
) -> tuple[dict[str, Any], list[str]]:
    """A Pro user with a name and free text shares a report; the shared JSON and markers."""
    name = f"Marker{uuid.uuid4().hex[:8]}"
    email = unique_email("shared")
    registered = await client.post(
        "/v1/auth/register",
        json={"email": email, "password": TEST_PASSWORD, "display_name": name},
    )
    assert registered.status_code == 201, registered.text
    token = (await login(client, email))["access_token"]
    await make_pro(app, registered.json()["id"])
    document = await complete_report(
        client,
        token,
        instrument,
        free_text=SAMPLE_TEXT,
        include_work_style=True,
        **demographics,
    )
    own = document["report"]["norms"]
    assert own["group_id"] and own["reason"]  # the owner's report names the group
    link = await client.post(f"/v1/reports/{document['id']}/share", headers=bearer(token))
    shared = await client.get(f"/v1/shared/{link.json()['token']}")
    assert shared.status_code == 200
    words_of_free_text = ["worry", "approach at work", "team"]
    return shared.json(), [
        email,
        name,
        document["id"],
        document["assessment_id"],
        *words_of_free_text,
    ]


@pytest.mark.parametrize(
    ("instrument", "demographics"),
    [
        ("ipip-neo-120", {"sex": "female", "age": 34}),
        ("ipip-neo-120", {"sex": "male", "age": 67}),
        ("ipip-neo-120", {}),
        ("mini-ipip", {"sex": "female", "age": 19}),
    ],
)
async def test_shared_report_reveals_no_demographics_and_no_identity(
    client: httpx.AsyncClient, app: FastAPI, instrument: str, demographics: dict[str, Any]
) -> None:
    shared, markers = await shared_document(client, app, instrument, **demographics)
    report = shared["report"]
    assert report["scales"] and report["narrative"]["statements"] and report["disclaimer"]
    assert report["norms"]["description"]
    assert leaks(shared, markers) == []
    assert normed_scales_with_raw(shared) == []
    # Un-normed add-on scales keep their raw score: it depends on the answers only.
    assert all(scale["raw"] is not None for scale in report["addons"]["work-style"]["scales"])


async def test_shared_norms_read_the_same_whoever_took_the_test(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    woman, _ = await shared_document(client, app, "ipip-neo-120", sex="female", age=25)
    man, _ = await shared_document(client, app, "ipip-neo-120", sex="male", age=70)
    anonymous, _ = await shared_document(client, app, "ipip-neo-120")
    norms = [doc["report"]["norms"] for doc in (woman, man, anonymous)]
    assert norms[0] == norms[1] == norms[2]
    assert "age- and sex-matched norms" in norms[0]["description"]
    assert woman["report"]["method"] == man["report"]["method"] == anonymous["report"]["method"]
    assert woman["report"]["citations"] == man["report"]["citations"]
