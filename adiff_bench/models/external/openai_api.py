"""OpenAI-compatible ``/v1/chat/completions`` endpoints (vLLM serving Qwen2-Audio, hosted audio models).

Each pair is one request: "Audio 1:", the first clip as a base64 16-bit wav ``input_audio`` part, "Audio 2:",
the second clip, then the tier prompt; temperature 0. ``audio_labels=false`` leaves out the two label parts
for servers whose chat template writes them itself (vLLM with Qwen2-Audio, possibly). The API key is read
from the environment variable named by ``api_key_env`` at the moment a request is sent and is never
stored, logged, fingerprinted or put into an error message. A hosted model can change behind a fixed
name, so equal fingerprints here promise equal requests, not equal text.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import random
import re
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

_RETRY_STATUS = frozenset({408, 409, 429}) | frozenset(range(500, 600))
_MAX_RETRY_AFTER = 300.0
_KEY_PATTERN = re.compile(r"\b(sk|key|hf)[-_][A-Za-z0-9_\-]{6,}")


@dataclass(frozen=True)
class _Attempt:
    """What one HTTP try ended in: a parsed body, or a retryable failure with the server's wish for a delay."""

    body: dict | None
    retry_reason: str | None = None
    retry_after: float | None = None


def _scrub(text: str, key: str | None) -> str:
    if key:
        text = text.replace(key, "***")
    return _KEY_PATTERN.sub(lambda m: f"{m.group(1)}-***", text)


def _public_url(url: str) -> str:
    """The URL without user:password@ so credentials embedded in it never reach a record."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


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
        self.base_url = base_url.rstrip("/")
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
        url = f"{self.base_url}/chat/completions"
        http_request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = _scrub(exc.read()[:300].decode("utf-8", "replace"), key).strip()
            if exc.code in _RETRY_STATUS:
                return _Attempt(None, f"HTTP {exc.code}", _retry_after_seconds(exc.headers.get("Retry-After")))
            hint = " (check the key in $" + self.api_key_env + ")" if exc.code in (401, 403) else ""
            raise ModelError(
                f"model 'openai-api': item {item_id!r}: {_public_url(url)} answered HTTP {exc.code}{hint}: {detail}"
            ) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            return _Attempt(None, _scrub(f"{type(exc).__name__}: {reason}", key))
        try:
            return _Attempt(json.loads(raw))
        except json.JSONDecodeError:
            snippet = _scrub(raw[:200].decode("utf-8", "replace"), key)
            raise ModelError(f"model 'openai-api': item {item_id!r}: the answer is not JSON: {snippet!r}") from None

    def _complete(self, request: Request) -> str:
        payload = json.dumps(self.request_body(request)).encode()
        key = os.environ.get(self.api_key_env) or None
        reason = ""
        for attempt in range(self.max_retries + 1):
            result = self._try_once(payload, key, request.item_id)
            if result.body is not None:
                return self._text(result.body, request.item_id)
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
