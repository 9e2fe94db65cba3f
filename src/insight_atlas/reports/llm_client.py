"""The call to a language model behind an OpenAI-compatible endpoint, and reading its reply.

Any server that speaks the chat-completions protocol works: a hosted API or a local one
(vLLM, Ollama). The model is asked for JSON; the reply is parsed strictly, and anything
that is not exactly `{"statements": [{"id": str, "text": str}, ...]}` is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import openai

from insight_atlas.settings import Settings

PROMPT_VERSION = "2026-12-03"
# The SDK retries once (with its own backoff) on a timeout, a dropped connection, 429 and
# 5xx; a second failure ends the attempt so the person is not kept waiting.
MAX_RETRIES = 1
# Enough for a report's narrative (a few hundred words) with room to spare.
MAX_COMPLETION_TOKENS = 4000

SYSTEM_PROMPT = (
    "You rewrite the statements of a personality questionnaire report in plain, warm,"
    " everyday language for the person who took it. Rules: keep every statement's id;"
    " return exactly one rewritten statement per input statement, no more, no fewer; keep"
    " the meaning and the cautious tone (say 'may', 'might', 'tends to', 'could' or"
    " 'perhaps'); never use diagnostic or clinical words and never state certainty; do not"
    " add numbers that are not in the statement; keep each statement short. Answer with"
    ' JSON only, in the form {"statements": [{"id": "...", "text": "..."}]}.'
)


@dataclass(frozen=True, slots=True)
class LlmEndpoint:
    base_url: str
    model: str
    api_key: str
    timeout_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmEndpoint | None:
        """The configured endpoint, or None while the feature is off."""
        if not settings.narrative_rewrite_enabled:
            return None
        return cls(
            base_url=settings.narrative_llm_base_url.strip(),
            model=settings.narrative_llm_model.strip(),
            api_key=settings.narrative_llm_api_key,
            timeout_seconds=settings.narrative_llm_timeout_seconds,
        )

    @property
    def host(self) -> str:
        """Host (and port, when given) the data goes to: what the person agrees to."""
        parts = urlsplit(self.base_url)
        host = parts.hostname or self.base_url
        return f"{host}:{parts.port}" if parts.port else host


class UpstreamFailed(Exception):
    """The endpoint could not be reached, timed out or answered an error, after retries."""

    def __init__(self, reason: str, *, timed_out: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timed_out = timed_out


class MalformedReply(Exception):
    """The endpoint answered, but not with the JSON asked for."""


async def complete(endpoint: LlmEndpoint, request_document: dict[str, Any]) -> str:
    """Send the statements as JSON and return the reply's message content."""
    client = openai.AsyncOpenAI(
        base_url=endpoint.base_url,
        # Local servers need no key, but the SDK refuses to start without one.
        api_key=endpoint.api_key or "unused",
        timeout=endpoint.timeout_seconds,
        max_retries=MAX_RETRIES,
    )
    try:
        completion = await client.chat.completions.create(
            model=endpoint.model,
            messages=[
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": json.dumps(request_document, ensure_ascii=False)},
            ],
            response_format={"type": "json_object"},
            temperature=0.2,
            max_tokens=MAX_COMPLETION_TOKENS,
        )
    except openai.APITimeoutError as exc:
        raise UpstreamFailed("the language model did not answer in time", timed_out=True) from exc
    except openai.APIConnectionError as exc:
        raise UpstreamFailed("the language model endpoint could not be reached") from exc
    except openai.APIStatusError as exc:
        raise UpstreamFailed(
            f"the language model endpoint answered HTTP {exc.status_code}"
        ) from exc
    except openai.OpenAIError as exc:
        # The SDK could not read what came back as a chat completion.
        raise MalformedReply("the endpoint's answer is not a chat completion") from exc
    finally:
        await client.close()
    choices = getattr(completion, "choices", None)
    if not choices:
        raise MalformedReply("the reply has no choices")
    content = choices[0].message.content
    if not isinstance(content, str) or not content.strip():
        raise MalformedReply("the reply has no text")
    return content


def parse_reply(content: str) -> dict[str, str]:
    """`{id: text}` from the model's JSON; MalformedReply for anything else."""
    text = content.strip()
    # Some local models wrap JSON in a Markdown fence even when asked not to.
    if text.startswith("```") and text.endswith("```"):
        text = text[3:-3].removeprefix("json").strip()
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise MalformedReply("the reply is not valid JSON") from exc
    if not isinstance(document, dict) or set(document) != {"statements"}:
        raise MalformedReply('the reply is not an object with one key, "statements"')
    statements = document["statements"]
    if not isinstance(statements, list):
        raise MalformedReply('"statements" is not a list')
    rewritten: dict[str, str] = {}
    for entry in statements:
        if not isinstance(entry, dict) or set(entry) != {"id", "text"}:
            raise MalformedReply('a statement is not an object with exactly "id" and "text"')
        statement_id, statement_text = entry["id"], entry["text"]
        if not isinstance(statement_id, str) or not isinstance(statement_text, str):
            raise MalformedReply("a statement's id or text is not a string")
        if statement_id in rewritten:
            raise MalformedReply(f"statement {statement_id!r} appears twice")
        rewritten[statement_id] = statement_text
    return rewritten
