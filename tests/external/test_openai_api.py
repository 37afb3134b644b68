"""openai-api against a local chat-completions server written for the test (127.0.0.1, one thread)."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
import wave
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from adiff_bench.errors import ModelError
from adiff_bench.models.base import Request
from adiff_bench.models.external.wav import wav_bytes
from adiff_bench.models.registry import build_model

KEY = "sk-test-0123456789abcdef"
SERVED = "qwen2-audio-test"


class _State:
    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.bodies: list[dict] = []
        self.headers: list[dict] = []
        self.lock = threading.Lock()


def _decode_wav(data: str) -> tuple[int, int, int, int]:
    with wave.open(io.BytesIO(base64.b64decode(data)), "rb") as handle:
        return handle.getnchannels(), handle.getsampwidth(), handle.getframerate(), handle.getnframes()


def _check(body: dict, headers: dict) -> str:
    """The answer text, built from what was received; raises AssertionError on a malformed request."""
    assert headers.get("Authorization") == f"Bearer {KEY}", "missing or wrong auth header"
    assert body["model"] == SERVED and body["temperature"] == 0 and body["max_tokens"] == 64
    (message,) = body["messages"]
    assert message["role"] == "user"
    parts = message["content"]
    assert [p["type"] for p in parts] == ["text", "input_audio", "text", "input_audio", "text"]
    assert parts[0]["text"] == "Audio 1:" and parts[2]["text"] == "Audio 2:"
    frames = []
    for part in (parts[1], parts[3]):
        assert part["input_audio"]["format"] == "wav"
        channels, width, rate, n = _decode_wav(part["input_audio"]["data"])
        assert (channels, width, rate) == (1, 2, 16000), "not a mono 16-bit 16 kHz wav"
        frames.append(n)
    return f"frames {frames[0]} {frames[1]} | {parts[4]['text']}"


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, code: int, payload: dict, extra: dict | None = None) -> None:
            blob = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(blob)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(blob)

        def do_POST(self) -> None:
            if self.path != "/v1/chat/completions":
                self._send(404, {"error": f"no route {self.path}"})
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            prompt = body["messages"][-1]["content"][-1]["text"]
            with state.lock:
                state.hits[prompt] += 1
                hit = state.hits[prompt]
                state.bodies.append(body)
                state.headers.append(dict(self.headers))
            if prompt == "FAIL429" and hit == 1:
                self._send(429, {"error": "slow down"}, {"Retry-After": "1"})
                return
            if prompt == "FAIL500" and hit == 1:
                self._send(500, {"error": "boom"})
                return
            if prompt == "ALWAYS503":
                self._send(503, {"error": "overloaded"})
                return
            if prompt == "DENY401":
                self._send(401, {"error": f"Incorrect API key provided: {self.headers.get('Authorization')}"})
                return
            if prompt == "SLOW" and hit == 1:
                time.sleep(1.0)
            if prompt == "ECHO":  # a server (or a model) that repeats the credentials it was sent
                auth = self.headers.get("Authorization", "")
                basic = base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else ""
                self._send(200, {"choices": [{"message": {"content": f"auth={auth} basic={basic}"}}]})
                return
            if prompt == "TRICKLE":  # every read gets a byte well within the timeout; the answer takes 3 s
                blob = json.dumps({"choices": [{"message": {"content": "late"}}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(blob)))
                self.end_headers()
                try:
                    for index in range(len(blob)):
                        self.wfile.write(blob[index : index + 1])
                        self.wfile.flush()
                        time.sleep(3.0 / len(blob))
                except OSError:  # the client gave up: that is the point
                    pass
                return
            try:
                answer = _check(body, dict(self.headers))
            except (AssertionError, KeyError, ValueError) as exc:
                self._send(400, {"error": f"bad request: {exc}"})
                return
            self._send(200, {"choices": [{"index": 0, "message": {"role": "assistant", "content": answer}}]})

    return Handler


@pytest.fixture
def server():
    state = _State()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("ADIFF_TEST_KEY", KEY)
    return KEY


def _model(base_url: str, **extra: str):
    args = {"model": SERVED, "base_url": base_url, "api_key_env": "ADIFF_TEST_KEY", "max_tokens": "64", **extra}
    return build_model("openai-api", args)


def _request(item: str, prompt: str, n1: int, n2: int) -> Request:
    rng = np.random.default_rng(len(item))
    return Request(
        item_id=item,
        prompt=prompt,
        tier=1,
        audio1=(0.1 * rng.standard_normal(n1)).astype(np.float32),
        audio2=(0.1 * rng.standard_normal(n2)).astype(np.float32),
    )


def test_two_wavs_per_request_answers_in_order(server, key):
    base_url, state = server
    model = _model(base_url, max_concurrency="3")
    requests = [_request(f"i{k}", f"prompt {k}", 16000 + k, 8000 + 3 * k) for k in range(5)]
    answers = model.generate(requests)
    assert answers == [f"frames {16000 + k} {8000 + 3 * k} | prompt {k}" for k in range(5)]
    assert len(state.bodies) == 5


def test_429_then_success_honours_retry_after_and_500_then_success(server, key):
    base_url, state = server
    model = _model(base_url, backoff="0.5")
    slept: list[float] = []
    model._sleep = slept.append
    answers = model.generate([_request("a", "FAIL429", 1600, 800), _request("b", "FAIL500", 800, 1600)])
    assert answers == ["frames 1600 800 | FAIL429", "frames 800 1600 | FAIL500"]
    assert state.hits["FAIL429"] == 2 and state.hits["FAIL500"] == 2
    assert 1.0 in slept  # Retry-After: 1 for the 429
    backoff = [s for s in slept if s != 1.0]
    assert len(backoff) == 1 and 0.5 <= backoff[0] <= 0.5 * 1.25  # first exponential step, with jitter


def test_gives_up_after_max_retries_with_one_line(server, key):
    base_url, state = server
    model = _model(base_url, max_retries="2")
    slept: list[float] = []
    model._sleep = slept.append
    with pytest.raises(ModelError, match=r"still failing after 3 tries \(HTTP 503\)") as info:
        model.generate([_request("z", "ALWAYS503", 800, 800)])
    assert state.hits["ALWAYS503"] == 3
    assert len(slept) == 2 and slept[1] > slept[0]  # exponential
    assert "\n" not in str(info.value)


def test_timeout_is_retried(server, key):
    base_url, state = server
    model = _model(base_url, timeout="0.3")
    model._sleep = lambda seconds: None
    assert model.generate([_request("s", "SLOW", 800, 800)]) == ["frames 800 800 | SLOW"]
    assert state.hits["SLOW"] == 2


def test_connection_refused_is_retried_then_reported():
    import socket

    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = _model(f"http://127.0.0.1:{port}/v1", max_retries="1")
    model._sleep = lambda seconds: None
    with pytest.raises(ModelError, match="still failing after 2 tries"):
        model.generate([_request("c", "hello", 800, 800)])


def test_key_never_appears_in_errors_records_or_fingerprints(server, key, monkeypatch):
    base_url, state = server
    model = _model(base_url)
    with pytest.raises(ModelError) as info:
        model.generate([_request("d", "DENY401", 800, 800)])
    message = str(info.value)
    assert "HTTP 401" in message and "ADIFF_TEST_KEY" in message
    assert state.headers[-1]["Authorization"] == f"Bearer {KEY}"  # the server did get it, and echoed it back
    assert KEY not in message and KEY[8:] not in message
    request = _request("e", "hello", 800, 800)
    record = json.dumps(
        {"prompt": model.prompt_record(), "fp": model.fingerprint(), "text": model.render_prompt(request)}
    )
    assert KEY not in record and KEY[8:] not in record
    assert all(KEY not in repr(value) for value in vars(model).values())
    fingerprint = model.fingerprint()
    monkeypatch.setenv("ADIFF_TEST_KEY", "sk-another-key-entirely-000")
    assert _model(base_url).fingerprint() == fingerprint  # the key decides access, not the answers


def test_credentials_in_base_url_are_not_recorded(server, key):
    base_url, _ = server
    model = _model(base_url.replace("http://", "http://user:hunter2secret@"))
    assert "hunter2secret" not in json.dumps(model.prompt_record()) + model.fingerprint()
    assert all("hunter2secret" not in repr(value) for value in vars(model).values())
    args = {"model": SERVED, "base_url": base_url.replace("http://", "http://user:hunter2secret@"), "api_key": KEY}
    public = model.public_args(args)
    assert public == {"model": SERVED, "base_url": base_url.replace("http://", "http://***@"), "api_key": "***"}


def test_base_url_credentials_are_sent_as_basic_auth_and_masked_in_answers(server, monkeypatch):
    base_url, state = server
    monkeypatch.delenv("ADIFF_TEST_KEY", raising=False)
    model = _model(base_url.replace("http://", "http://user:hunter2secret@"))
    (answer,) = model.generate([_request("b", "ECHO", 800, 800)])
    assert state.headers[-1]["Authorization"] == "Basic " + base64.b64encode(b"user:hunter2secret").decode()
    assert answer.startswith("auth=Basic ") and answer.endswith("basic=user:***")
    assert "hunter2secret" not in answer


def test_an_api_key_echoed_in_an_answer_is_masked_in_the_prediction(server, key):
    base_url, _ = server
    (answer,) = _model(base_url).generate([_request("k", "ECHO", 800, 800)])
    assert answer == "auth=Bearer *** basic="
    assert KEY not in answer


def test_credentials_never_reach_connection_errors():
    import socket

    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = _model(f"http://user:hunter2secret@127.0.0.1:{port}/v1", max_retries="0")
    with pytest.raises(ModelError) as info:
        model.generate([_request("c", "hello", 800, 800)])
    assert "still failing after 1 tries" in str(info.value) and "hunter2secret" not in str(info.value)
    assert "hunter2secret" not in repr(info.value.__cause__) + repr(info.value.__context__)


def test_timeout_bounds_the_whole_request_not_each_read(server, key):
    base_url, state = server
    model = _model(base_url, timeout="0.6", max_retries="0")
    start = time.monotonic()
    with pytest.raises(ModelError, match=r"no complete answer within timeout=0.6 s"):
        model.generate([_request("t", "TRICKLE", 800, 800)])
    assert time.monotonic() - start < 2.0  # the server needs 3 s; every single read is far under 0.6 s
    assert state.hits["TRICKLE"] == 1


def test_bad_arguments_are_model_errors():
    with pytest.raises(ModelError, match="needs model="):
        build_model("openai-api", {})
    with pytest.raises(ModelError, match="must start with http"):
        build_model("openai-api", {"model": "m", "base_url": "localhost:8000"})
    with pytest.raises(ModelError, match="max_concurrency=0"):
        build_model("openai-api", {"model": "m", "max_concurrency": "0"})


def test_missing_audio_is_reported_before_sending(server, key):
    base_url, state = server
    with pytest.raises(ModelError, match="item 'q' has no audio1 samples"):
        _model(base_url).generate([Request("q", "hi", 1, audio1=None, audio2=np.zeros(10, np.float32))])
    assert not state.bodies


def test_wav_bytes_round_trip():
    import soundfile

    audio = np.linspace(-1.2, 1.2, 1000, dtype=np.float32)
    decoded, rate = soundfile.read(io.BytesIO(wav_bytes(audio, 16000)), dtype="float32")
    assert rate == 16000 and decoded.shape == (1000,)
    assert np.allclose(decoded, np.clip(audio, -1, 1), atol=1e-4)


def test_audio_labels_can_be_left_to_the_server(server, key):
    base_url, state = server
    model = _model(base_url, audio_labels="false")
    labelled = _model(base_url)
    body = model.request_body(_request("l", "hi", 800, 800))
    assert [p["type"] for p in body["messages"][0]["content"]] == ["input_audio", "input_audio", "text"]
    assert "Audio 1:" not in model.render_prompt(_request("l", "hi", 800, 800))
    assert model.fingerprint() != labelled.fingerprint()
