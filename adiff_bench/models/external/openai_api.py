"""OpenAI-compatible ``/v1/chat/completions`` endpoints (vLLM serving Qwen2-Audio, hosted audio models).

Each pair is one request: "Audio 1:", the first clip as a base64 16-bit wav ``input_audio`` part, "Audio 2:",
the second clip, then the tier prompt; temperature 0. ``audio_labels=false`` leaves out the two label parts
for servers whose chat template writes them itself (vLLM with Qwen2-Audio, possibly). The API key is read
from the environment variable named by ``api_key_env`` at the moment a request is sent and is never
stored, logged, fingerprinted or put into an error message; an answer that echoes it has it masked.
Credentials inside ``base_url`` (``https://user:pass@host/v1``) are sent as HTTP Basic auth (when no API
key is set) and are masked in every record, fingerprint and message (see :mod:`adiff_bench.redact`).
``timeout`` bounds each whole HTTP request (connect, send, the complete answer), not each socket read.
A hosted model can change behind a fixed name, so equal fingerprints here promise equal requests, not
equal text.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import http.client
import json
import os
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from adiff_bench.errors import ModelError
from adiff_bench.models.base import ModelNeeds, Request
from adiff_bench.models.external.prompts import OPENAI_API_V1, PromptTemplate, truncation_note
from adiff_bench.models.external.wav import wav_base64
from adiff_bench.redact import redact_model_args, redact_text, strip_credentials, url_credentials

_RETRY_STATUS = frozenset({408, 409, 429}) | frozenset(range(500, 600))
_MAX_RETRY_AFTER = 300.0
_MAX_ANSWER_BYTES = 32 << 20  # a chat answer is kilobytes; more is a misbehaving server, not text
_KEY_PATTERN = re.compile(r"\b(sk|key|hf)[-_][A-Za-z0-9_\-]{6,}")


@dataclass(frozen=True)
class _Attempt:
    """What one HTTP try ended in: a parsed body, or a retryable failure with the server's wish for a delay."""

    body: dict | None
    retry_reason: str | None = None
    retry_after: float | None = None


def _scrub(text: str, *secrets: str | None) -> str:
    """For messages: the given secrets, URL credentials and anything shaped like an API key, masked."""
    return _KEY_PATTERN.sub(lambda m: f"{m.group(1)}-***", redact_text(text, secrets))


def _public_url(url: str) -> str:
    """The URL without user:password@, query or fragment, so credentials never reach a record."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:  # a malformed port: keep nothing after the host
        port = None
    netloc = f"{host}:{port}" if port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class _Hidden:
    """Credentials from base_url, kept for the Authorization header and for masking; never shown by repr."""

    __slots__ = ("basic_auth", "secrets")

    def __init__(self, basic_auth: str | None, secrets: tuple[str, ...]) -> None:
        self.basic_auth = basic_auth
        self.secrets = secrets

    def __repr__(self) -> str:
        return "<credentials hidden>" if self.basic_auth else "<no credentials>"


class _Deadline:
    """Closes the connection's socket when the time is up, so that a blocked connect/send/read returns: a
    socket timeout alone bounds each read, and a server trickling bytes could hold a request forever."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    """urllib as usual (proxies from the environment, TLS), with every connection it opens watched."""

    def tracked(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
        class Tracked(base):  # type: ignore[misc, valid-type]
            def connect(self) -> None:
                super().connect()
                deadline.watch(self.sock)

        return Tracked

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):  # noqa: ANN001, ANN202
            return self.do_open(tracked(http.client.HTTPConnection), req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req):  # noqa: ANN001, ANN202
            return self.do_open(tracked(http.client.HTTPSConnection), req, context=self._context)

    return urllib.request.build_opener(HTTP(), HTTPS())


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, min(float(value), _MAX_RETRY_AFTER))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), _MAX_RETRY_AFTER))


class OpenAIChatModel:
    """``openai-api``: one chat-completions request per pair, several in flight, retried with backoff."""

    name = "openai-api"
    template: PromptTemplate = OPENAI_API_V1

    def __init__(
        self,
        model: str | None = None,
        base_url: str = "https://api.openai.com/v1",
        api_key_env: str = "OPENAI_API_KEY",
        max_concurrency: int = 4,
        max_retries: int = 5,
        timeout: float = 120.0,
        backoff: float = 1.0,
        max_tokens: int = 512,
        max_tokens_field: str = "max_tokens",
        sample_rate: int = 16000,
        max_seconds: float = 30.0,
        audio_labels: bool = True,
    ) -> None:
        if not model:
            raise ModelError("model 'openai-api' needs model=<the model name the server serves> in --model-args")
        if not base_url.startswith(("http://", "https://")):
            raise ModelError(f"model 'openai-api': base_url={_public_url(base_url)!r} must start with http(s)://")
        for key, value, least in (("max_concurrency", max_concurrency, 1), ("max_retries", max_retries, 0)):
            if value < least:
                raise ModelError(f"model 'openai-api': {key}={value} must be at least {least}")
        if timeout <= 0 or max_tokens < 1 or sample_rate < 1:
            raise ModelError("model 'openai-api': timeout, max_tokens and sample_rate must be positive")
        self.model = model
        user, password = url_credentials(base_url)
        # Only the credential-free URL is kept in the open; the credentials live in one private attribute.
        self.base_url = strip_credentials(base_url).rstrip("/")
        self._credentials = _Hidden(
            basic_auth="Basic " + base64.b64encode(f"{user}:{password or ''}".encode()).decode() if user else None,
            secrets=tuple(s for s in (user if password is None else None, password) if s),
        )
        self.api_key_env = api_key_env
        self.max_concurrency = max_concurrency
        self.max_retries = max_retries
        self.timeout = timeout
        self.backoff = backoff
        self.max_tokens = max_tokens
        self.max_tokens_field = max_tokens_field
        self.sample_rate = sample_rate
        self.audio_labels = audio_labels
        self.needs = ModelNeeds(
            needs_audio=True, sample_rate=sample_rate, max_seconds=max_seconds or None, short_clip="none"
        )
        self._sleep = time.sleep  # tests replace this to see the delays without waiting

    @staticmethod
    def public_args(model_args: dict[str, str]) -> dict[str, str]:
        """The model arguments as they may be written to spec.json: base_url credentials masked."""
        return redact_model_args(model_args)

    # ---- what is sent ------------------------------------------------------------------------------------

    def _content(self, request: Request) -> list[dict]:
        content: list[dict] = []
        for index, field in ((1, "audio1"), (2, "audio2")):
            clip = getattr(request, field)
            if clip is None or clip.size == 0:
                raise ModelError(
                    f"model 'openai-api': item {request.item_id!r} has no {field} samples; "
                    "run it through the harness, which loads audio for models with needs_audio=True"
                )
            if self.audio_labels:
                content.append({"type": "text", "text": self.template.label(index)})
            content.append(
                {"type": "input_audio", "input_audio": {"data": wav_base64(clip, self.sample_rate), "format": "wav"}}
            )
        content.append({"type": "text", "text": self.template.user_text(request.prompt)})
        return content

    def request_body(self, request: Request) -> dict:
        system = [{"role": "system", "content": self.template.system}] if self.template.system is not None else []
        return {
            "model": self.model,
            "messages": [*system, {"role": "user", "content": self._content(request)}],
            "temperature": 0,
            self.max_tokens_field: self.max_tokens,
        }

    def render_prompt(self, request: Request) -> str:
        lines = [f"[system] {self.template.system}"] if self.template.system is not None else []
        labels = [f"{self.template.label(i)} " if self.audio_labels else "" for i in (1, 2)]
        lines += [f"{label}<input_audio wav {self.sample_rate} Hz>" for label in labels]
        return "\n".join([*lines, self.template.user_text(request.prompt)])

    def prompt_record(self) -> dict:
        return {
            "template": self.template.to_json(),
            "audio_labels": "text parts" if self.audio_labels else "none sent (the server's chat template adds them)",
            "audio_format": f"input_audio, base64 16-bit PCM wav, mono, {self.sample_rate} Hz",
            "truncation": truncation_note(self.needs.max_seconds),
            "generation": {"temperature": 0, self.max_tokens_field: self.max_tokens},
            "endpoint": f"{_public_url(self.base_url)}/chat/completions",
            "served_model": self.model,
            "api_key_env": self.api_key_env,
        }

    def fingerprint(self) -> str:
        parts = {
            "adapter": self.name,
            "endpoint": _public_url(self.base_url),
            "model": self.model,
            "template": self.template.to_json(),
            "max_tokens": [self.max_tokens_field, self.max_tokens],
            "sample_rate": self.sample_rate,
            "max_seconds": self.needs.max_seconds,
            "audio_labels": self.audio_labels,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]

    # ---- how it is sent ---------------------------------------------------------------------------------

    def _try_once(self, payload: bytes, key: str | None, item_id: str) -> _Attempt:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        elif self._credentials.basic_auth:
            headers["Authorization"] = self._credentials.basic_auth
        secrets = (key, *self._credentials.secrets)
        url = f"{self.base_url}/chat/completions"
        http_request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
        deadline = _Deadline(self.timeout)
        try:
            with _opener(deadline).open(http_request, timeout=self.timeout) as response:
                raw = response.read(_MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            try:
                detail = _scrub(exc.read(300).decode("utf-8", "replace"), *secrets).strip()
            except (OSError, http.client.HTTPException):
                detail = ""
            if exc.code in _RETRY_STATUS:
                return _Attempt(None, f"HTTP {exc.code}", _retry_after_seconds(exc.headers.get("Retry-After")))
            hint = " (check the key in $" + self.api_key_env + ")" if exc.code in (401, 403) else ""
            raise ModelError(
                f"model 'openai-api': item {item_id!r}: {_public_url(url)} answered HTTP {exc.code}{hint}: {detail}"
            ) from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if deadline.expired:
                return _Attempt(None, f"no complete answer within timeout={self.timeout:g} s")
            if isinstance(exc, ValueError) and not isinstance(exc, urllib.error.URLError):
                raise ModelError(
                    f"model 'openai-api': cannot send to {_public_url(url)} ({_scrub(str(exc), *secrets)})"
                ) from None
            reason = getattr(exc, "reason", exc)
            return _Attempt(None, _scrub(f"{type(exc).__name__}: {reason}", *secrets))
        finally:
            deadline.cancel()
        if deadline.expired:
            return _Attempt(None, f"no complete answer within timeout={self.timeout:g} s")
        if len(raw) > _MAX_ANSWER_BYTES:
            raise ModelError(
                f"model 'openai-api': item {item_id!r}: the answer is over {_MAX_ANSWER_BYTES >> 20} MiB; "
                "that is not a chat completion"
            )
        try:
            return _Attempt(json.loads(raw))
        except (json.JSONDecodeError, UnicodeDecodeError):
            snippet = _scrub(raw[:200].decode("utf-8", "replace"), *secrets)
            raise ModelError(f"model 'openai-api': item {item_id!r}: the answer is not JSON: {snippet!r}") from None

    def _complete(self, request: Request) -> str:
        payload = json.dumps(self.request_body(request)).encode()
        key = os.environ.get(self.api_key_env) or None
        reason = ""
        for attempt in range(self.max_retries + 1):
            result = self._try_once(payload, key, request.item_id)
            if result.body is not None:
                # A server (or a model told so by a prompt) can echo the key or the URL password: mask them.
                return redact_text(self._text(result.body, request.item_id), (key, *self._credentials.secrets))
            reason = result.retry_reason or "unknown failure"
            if attempt < self.max_retries:
                delay = result.retry_after
                if delay is None:
                    delay = self.backoff * 2**attempt
                    delay += random.uniform(0, 0.25 * delay)
                self._sleep(delay)
        raise ModelError(
            f"model 'openai-api': item {request.item_id!r}: {_public_url(self.base_url)} still failing after "
            f"{self.max_retries + 1} tries ({reason}); rerun later: finished items are kept"
        )

    @staticmethod
    def _text(body: dict, item_id: str) -> str:
        try:
            content = body["choices"][0]["message"].get("content")
        except (KeyError, IndexError, TypeError, AttributeError):
            raise ModelError(
                f"model 'openai-api': item {item_id!r}: the answer has no choices[0].message "
                f"(keys: {', '.join(body) if isinstance(body, dict) else type(body).__name__})"
            ) from None
        if isinstance(content, list):  # some servers return content parts
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        return (content or "").strip()

    def generate(self, requests: Sequence[Request]) -> list[str]:
        if not requests:
            return []
        workers = min(self.max_concurrency, len(requests))
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="openai-api")
        try:
            return list(executor.map(self._complete, requests))
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
