"""The checks a rewritten narrative must pass, and the strict reading of a model's reply."""

from __future__ import annotations

import pytest

from insight_atlas.reports.llm_client import LlmEndpoint, MalformedReply, parse_reply
from insight_atlas.reports.rewrite_guard import SourceStatement, check_rewrite, numbers_in

SOURCE = SourceStatement("s1", "You may enjoy being around people.", (72.0,))


def test_a_faithful_rewrite_passes() -> None:
    assert check_rewrite([SOURCE], {"s1": "You might like company (percentile 72)."}) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("You may enjoy people more than 90% of others.", "changed_number"),
        ("You may have social anxiety disorder.", "diagnostic_language"),
        ("You definitely enjoy being around people.", "certainty_language"),
        ("You enjoy being around people.", "certainty_language"),  # no hedge left
        ("You may " + "really " * 40 + "enjoy people.", "too_long"),
        ("   ", "empty_statement"),
    ],
)
def test_bad_statements_are_refused(text: str, reason: str) -> None:
    refusal = check_rewrite([SOURCE], {"s1": text})
    assert refusal is not None and refusal.reason == reason
    assert refusal.statement_id == "s1"


def test_missing_and_added_ids_are_refused() -> None:
    other = SourceStatement("s2", "You might plan ahead.")
    missing = check_rewrite([SOURCE, other], {"s1": "You may like people."})
    assert missing is not None and missing.reason == "missing_statement"
    assert missing.statement_id == "s2"
    added = check_rewrite([SOURCE], {"s1": "You may like people.", "s7": "You may nap."})
    assert added is not None and added.reason == "added_statement"


def test_numbers_are_compared_by_value() -> None:
    assert numbers_in("between 1 and 2,5 or 72.0") == {1.0, 2.5, 72.0}


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"statements": {}}',
        '{"statements": [], "note": "extra"}',
        '{"statements": [{"id": "s1"}]}',
        '{"statements": [{"id": 1, "text": "x"}]}',
        '{"statements": [{"id": "s1", "text": "a"}, {"id": "s1", "text": "b"}]}',
    ],
)
def test_malformed_replies_are_refused(content: str) -> None:
    with pytest.raises(MalformedReply):
        parse_reply(content)


def test_a_fenced_reply_is_read() -> None:
    content = '```json\n{"statements": [{"id": "s1", "text": "You may."}]}\n```'
    assert parse_reply(content) == {"s1": "You may."}


def test_the_endpoint_host_includes_a_port() -> None:
    endpoint = LlmEndpoint("http://127.0.0.1:11434/v1", "llama", "", 20.0)
    assert endpoint.host == "127.0.0.1:11434"
    assert LlmEndpoint("https://models.example.org/v1", "m", "k", 20.0).host == "models.example.org"
