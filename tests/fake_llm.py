"""A fake LLM server speaking the OpenAI Chat Completions API, for tests of the `openai` engine.

It is a real HTTP server on 127.0.0.1 (in a thread), so the engine's whole wire path is exercised:
URL, headers, JSON body, status codes, Retry-After, error bodies.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# A segment line of the engine's prompt: "[t.s1] Title", "[p2.s3] Third sentence of paragraph 2."
SEGMENT_LINE = re.compile(r"^\[((?:t|p\d+)\.s\d+)\] (.*)$")

_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def pseudo_arabic(text: str) -> str:
    """The fake's deterministic "translation": every letter becomes an Arabic letter; digits,
    punctuation, spaces and placeholders such as [101] are kept as they are."""
    out = []
    for c in text:
        if "a" <= c.lower() <= "z":
            out.append(_LETTERS[(ord(c.lower()) - ord("a")) % len(_LETTERS)])
        elif c.isalpha() and not ("\u0600" <= c <= "\u06ff"):
            out.append("ي")
        else:
            out.append(c)
    return "".join(out)


@dataclass
class Request:
    """One request the fake received."""

    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # names lower-cased
    body: Any  # the parsed JSON body (None when it was not JSON)

    @property
    def user_prompt(self) -> str:
        """The last user message's text."""
        messages = self.body.get("messages", []) if isinstance(self.body, dict) else []
        users = [m.get("content", "") for m in messages if m.get("role") == "user"]
        return users[-1] if users else ""

    @property
    def system_prompt(self) -> str:
        messages = self.body.get("messages", []) if isinstance(self.body, dict) else []
        return next((m.get("content", "") for m in messages if m.get("role") == "system"), "")

    @property
    def segments(self) -> list[tuple[str, str]]:
        """(label, source text) of each segment line in the user message, in order."""
        out = []
        for line in self.user_prompt.splitlines():
            m = SEGMENT_LINE.match(line)
            if m:
                out.append((m.group(1), m.group(2)))
        return out


class FakeLLM:
    """A Chat Completions server that "translates" every labelled segment of the prompt.

    Use::

        with FakeLLM() as fake:
            conf = parse_engine("llm", {"kind": "openai", "url": fake.url + "/v1", "model": "m"})
            ...
            assert "Joe Biden → جو بايدن" in fake.last_prompt()

    Serving: a POST to any path ending in ``/chat/completions`` (``/v1/chat/completions``,
    Azure's ``/openai/deployments/D/chat/completions?api-version=V``) with a JSON body holding
    ``model`` and ``messages`` gets a ``chat.completion`` object whose one choice answers each
    ``[label] text`` line of the last user message with ``[label] pseudo_arabic(text)``, in
    order, ``finish_reason`` "stop". Anything else gets an OpenAI-style error body
    ``{"error": {"message", "type", "param", "code"}}`` (404 for another path, 400 for a bad body).

    Attributes:
        url: ``http://127.0.0.1:PORT`` (append ``/v1`` for the engine's url).
        requests: every `Request` received, in order (headers lower-cased, JSON body parsed).
        api_key: when set, requests must carry ``Authorization: Bearer KEY`` or ``api-key: KEY``,
            else 401 whose message echoes the key sent (as OpenAI's does: tests check redaction).
        delay: seconds each answer waits before it is sent (to make requests overlap).
        max_concurrent: the most requests being answered at once so far.

    Faults, queued and used one per request, in the order they were set (each ``times`` times):
        fail_next(status, body=None, headers=None, times=1): answer with this status; ``body`` a
            dict (sent as JSON), a str or bytes (sent as is: malformed JSON with status 200), or
            None (an OpenAI-style error body). ``headers`` e.g. ``{"Retry-After": "0"}``.
        drop_segment_next(times=1): the answer misses one segment line (the middle one).
        garble_next(times=1): the answer numbers its lines "1.", "2." instead of the labels.
        truncate_next(times=1): the answer stops after half its lines, finish_reason "length".
        reply_next(content, finish_reason="stop", times=1): answer with this message content.

    Helpers: ``last_prompt()`` (the last request's user message), ``prompts()`` (every request's),
    ``chat_requests()`` (the chat completion requests), ``pseudo_arabic(text)`` (the answer the
    fake gives for a segment, to compute expected translations).
    """

    pseudo_arabic = staticmethod(pseudo_arabic)

    def __init__(self, *, api_key: str = "", delay: float = 0.0) -> None:
        self.api_key = api_key
        self.delay = delay
        self.requests: list[Request] = []
        self.max_concurrent = 0
        self._active = 0
        self._faults: deque[tuple[Any, ...]] = deque()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without TCP_NODELAY each kept-alive answer
            # waits ~45 ms for the client's delayed ACK (measured by bench/engines_bench.py).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                fake._handle(self)

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    # -- programming the fake ---------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def fail_next(
        self,
        status: int,
        body: dict[str, Any] | str | bytes | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        if body is None:
            body = error_body(
                f"fake error {status}", "server_error" if status >= 500 else "invalid_request_error"
            )
        self._queue(("fail", status, body, headers or {}), times)

    def drop_segment_next(self, times: int = 1) -> None:
        self._queue(("drop",), times)

    def garble_next(self, times: int = 1) -> None:
        self._queue(("garble",), times)

    def truncate_next(self, times: int = 1) -> None:
        self._queue(("truncate",), times)

    def reply_next(self, content: str, finish_reason: str = "stop", times: int = 1) -> None:
        self._queue(("reply", content, finish_reason), times)

    # -- what it saw ------------------------------------------------------------------------

    def chat_requests(self) -> list[Request]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def prompts(self) -> list[str]:
        return [r.user_prompt for r in self.chat_requests()]

    def last_prompt(self) -> str:
        requests = self.chat_requests()
        return requests[-1].user_prompt if requests else ""

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeLLM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving ----------------------------------------------------------------------------

    def _queue(self, fault: tuple[Any, ...], times: int) -> None:
        with self._lock:
            self._faults.extend([fault] * times)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        parts = urlsplit(handler.path)
        request = Request(
            handler.command,
            parts.path,
            parts.query,
            {k.lower(): v for k, v in handler.headers.items()},
            body,
        )
        with self._lock:
            self.requests.append(request)
            self._active += 1
            self.max_concurrent = max(self.max_concurrent, self._active)
        try:
            if self.delay:
                time.sleep(self.delay)
            status, payload, headers = self._answer(request)
        finally:
            with self._lock:
                self._active -= 1
        data = (
            payload
            if isinstance(payload, bytes)
            else (
                payload.encode("utf-8")
                if isinstance(payload, str)
                else json.dumps(payload).encode("utf-8")
            )
        )
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, request: Request) -> tuple[int, Any, dict[str, str]]:
        if request.method != "POST" or not request.path.endswith("/chat/completions"):
            return (
                404,
                error_body(
                    f"Unknown request URL: {request.method} {request.path}",
                    "invalid_request_error",
                    "unknown_url",
                ),
                {},
            )
        if self.api_key:
            sent = request.headers.get("api-key") or request.headers.get(
                "authorization", ""
            ).removeprefix("Bearer ")
            if sent != self.api_key:
                return (
                    401,
                    error_body(
                        f"Incorrect API key provided: {sent}.",
                        "invalid_request_error",
                        "invalid_api_key",
                    ),
                    {},
                )
        body = request.body
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("model"), str)
            or not isinstance(body.get("messages"), list)
            or not body["messages"]
        ):
            return (
                400,
                error_body(
                    "'model' and 'messages' are required properties", "invalid_request_error"
                ),
                {},
            )
        with self._lock:
            fault = self._faults.popleft() if self._faults else ("ok",)
        if fault[0] == "fail":
            return fault[1], fault[2], fault[3]
        lines = [f"[{label}] {pseudo_arabic(text)}" for label, text in request.segments]
        finish = "stop"
        if fault[0] == "drop" and lines:
            del lines[len(lines) // 2]
        elif fault[0] == "garble":
            lines = [f"{n}. {line.split('] ', 1)[-1]}" for n, line in enumerate(lines, 1)]
        elif fault[0] == "truncate":
            lines = lines[: len(lines) // 2]
            finish = "length"
        content = "\n".join(lines)
        if fault[0] == "reply":
            content, finish = fault[1], fault[2]
        return 200, completion(body["model"], content, finish), {}


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, Any]:
    """An error object as the OpenAI API sends it."""
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def completion(model: str, content: str, finish_reason: str = "stop") -> dict[str, Any]:
    """A chat.completion object with one choice."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
