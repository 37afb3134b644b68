"""The Qwen-Audio-Chat worker's HTTP side, driven by the real openai-api client, with a recording backend."""

from __future__ import annotations

import threading
import wave
from http.server import ThreadingHTTPServer

import numpy as np
import pytest

from adiff_bench.errors import ModelError
from adiff_bench.models.base import Request
from adiff_bench.models.external.qwen_audio_chat_worker import make_handler, parse_chat_request
from adiff_bench.models.registry import build_model


class _Recorder:
    """Stands in for QwenAudioChatBackend: reads the wav files the worker wrote and echoes what it saw."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[int], str]] = []

    def __call__(self, paths, text):
        frames = []
        for path in paths:
            with wave.open(path, "rb") as handle:
                frames.append(handle.getnframes())
        self.calls.append((frames, text))
        return f"{frames} {text}"


@pytest.fixture
def worker(monkeypatch):
    monkeypatch.setenv("WORKER_TEST_KEY", "worker-secret-key-123")
    recorder = _Recorder()
    handler = make_handler(recorder, "qwen-audio-chat", api_key="worker-secret-key-123")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", recorder
    finally:
        httpd.shutdown()
        httpd.server_close()


def _request(item: str, n1: int, n2: int, prompt: str = "What differs?") -> Request:
    return Request(item, prompt, 1, audio1=np.zeros(n1, np.float32), audio2=np.full(n2, 0.1, np.float32))


def test_client_and_worker_round_trip(worker):
    base_url, recorder = worker
    model = build_model(
        "openai-api",
        {"model": "qwen-audio-chat", "base_url": base_url, "api_key_env": "WORKER_TEST_KEY", "max_concurrency": "2"},
    )
    answers = model.generate([_request("a", 1600, 800), _request("b", 400, 3200, "Explain.")])
    assert answers == ["[1600, 800] What differs?", "[400, 3200] Explain."]
    # The client's "Audio N:" parts are dropped: Qwen-Audio's from_list_format writes its own labels.
    assert sorted(text for _, text in recorder.calls) == ["Explain.", "What differs?"]


def test_worker_refuses_a_wrong_key_and_a_wrong_model(worker, monkeypatch):
    base_url, recorder = worker
    monkeypatch.setenv("WRONG_KEY", "not-the-key")
    wrong_key = build_model(
        "openai-api", {"model": "qwen-audio-chat", "base_url": base_url, "api_key_env": "WRONG_KEY"}
    )
    with pytest.raises(ModelError, match="HTTP 401"):
        wrong_key.generate([_request("a", 800, 800)])
    wrong_model = build_model("openai-api", {"model": "other", "base_url": base_url, "api_key_env": "WORKER_TEST_KEY"})
    with pytest.raises(ModelError, match="HTTP 400.*serves 'qwen-audio-chat'"):
        wrong_model.generate([_request("a", 800, 800)])
    assert not recorder.calls


def test_parse_chat_request_rejects_what_it_cannot_serve():
    with pytest.raises(ValueError, match="no input_audio"):
        parse_chat_request({"messages": [{"role": "user", "content": "hello"}]})
    with pytest.raises(ValueError, match="only wav"):
        parse_chat_request(
            {"messages": [{"role": "user", "content": [{"type": "input_audio", "input_audio": {"format": "mp3"}}]}]}
        )
    audios, text = parse_chat_request(
        {
            "messages": [
                {"role": "system", "content": "ignored by this worker"},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Audio 1:"},
                        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
                        {"type": "text", "text": "Compare."},
                    ],
                },
            ]
        }
    )
    assert audios == [b"RIFF"] and text == "Compare."
