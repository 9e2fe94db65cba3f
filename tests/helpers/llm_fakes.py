"""A local fake of an OpenAI-compatible chat-completions server, for the narrative rewrite.

A threaded HTTP server on 127.0.0.1 (random port) answering POST /v1/chat/completions in
the OpenAI response format. `mode` chooses the answer: a good rewrite, or one of the ways
a model (or its server) can go wrong. Every request body is captured for inspection.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = (
    "good",
    "changed_number",
    "dropped_id",
    "added_id",
    "diagnostic",
    "too_long",
    "malformed",
    "slow",
    "error_500",
)


@dataclass
class FakeModel:
    base_url: str = ""
    mode: str = "good"
    slow_seconds: float = 3.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1"

    def sent_documents(self) -> list[dict[str, Any]]:
        """The JSON documents sent as the user message, one per request."""
        out = []
        for request in self.requests:
            user = [m for m in request["messages"] if m["role"] == "user"]
            out.append(json.loads(user[0]["content"]))
        return out

    def content_for(self, request: dict[str, Any]) -> str:
        user = [m for m in request["messages"] if m["role"] == "user"]
        statements = json.loads(user[0]["content"])["statements"]
        rewritten = [{"id": s["id"], "text": f"Put simply: {s['text']}"} for s in statements]
        if self.mode == "changed_number":
            rewritten[0]["text"] = "Put simply, you may score higher than 87 out of 100 people."
        elif self.mode == "dropped_id":
            rewritten = rewritten[1:]
        elif self.mode == "added_id":
            rewritten.append({"id": "s999", "text": "You may also enjoy long walks."})
        elif self.mode == "diagnostic":
            rewritten[-1]["text"] = "This may point to an anxiety disorder."
        elif self.mode == "too_long":
            rewritten[0]["text"] = "You may be warm. " * 200
        elif self.mode == "malformed":
            return '{"statements": [{"id": "s1", "text": "You may be'
        return json.dumps({"statements": rewritten})


def completion(content: str, model: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@contextmanager
def fake_model_server() -> Iterator[FakeModel]:
    state = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            with state.lock:
                state.requests.append(request)
                state.headers.append({k.lower(): v for k, v in self.headers.items()})
                mode = state.mode
            if self.path != "/v1/chat/completions":
                self._send(404, {"error": {"message": "no such route", "type": "invalid"}})
            elif mode == "error_500":
                self._send(500, {"error": {"message": "model crashed", "type": "server_error"}})
            else:
                if mode == "slow":
                    time.sleep(state.slow_seconds)
                content = state.content_for(request)
                self._send(200, completion(content, request.get("model", "")))

        def _send(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up waiting (the timeout cases)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
