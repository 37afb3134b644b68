"""A stand-alone OpenAI-compatible worker for Qwen-Audio-Chat (v1), the ADIFF paper's comparison model.

Qwen-Audio-Chat needs ``trust_remote_code`` and a transformers of its time (its README targets 4.32), so
it runs in its own environment and the harness talks to it through ``openai-api``. This file imports only the standard
library at module level and nothing from adiff_bench (Python 3.9+), so it can be copied into that
environment, set up as the Qwen-Audio README says (github.com/QwenLM/Qwen-Audio: Python 3.9+ here, torch 2.x,
``pip install -r requirements.txt``, FFmpeg on PATH)::

    python3 -m venv qwen-audio-env
    qwen-audio-env/bin/pip install -r Qwen-Audio/requirements.txt
    qwen-audio-env/bin/python qwen_audio_chat_worker.py --model Qwen/Qwen-Audio-Chat --port 8001

then ``adiff-bench run --model openai-api --model-args
model=qwen-audio-chat,base_url=http://127.0.0.1:8001/v1,max_concurrency=1``. The worker answers one
request at a time. Its model's ``tokenizer.from_list_format`` writes "Audio N:" before each clip itself,
so the client's label parts are dropped here rather than written twice.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

AnswerFn = Callable[[Sequence[str], str], str]
_LABEL = re.compile(r"^\s*Audio \d+:\s*$")


def parse_chat_request(body: dict) -> tuple[list[bytes], str]:
    """The wav files (in order) and the instruction text of a chat-completions body with input_audio parts."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ValueError("messages must be a non-empty list")
    user = [m for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    if len(user) != 1:
        raise ValueError("expected exactly one user message (this worker keeps no history)")
    content = user[0].get("content")
    if isinstance(content, str):
        raise ValueError("the user message has no input_audio parts")
    audios: list[bytes] = []
    texts: list[str] = []
    for index, part in enumerate(content or []):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "input_audio":
            audio = part.get("input_audio") or {}
            if audio.get("format", "wav") != "wav":
                raise ValueError(f"content[{index}]: only wav input_audio is accepted, got {audio.get('format')!r}")
            try:
                audios.append(base64.b64decode(audio.get("data", ""), validate=True))
            except (binascii.Error, ValueError) as exc:
                raise ValueError(f"content[{index}]: input_audio.data is not base64 ({exc})") from exc
        elif kind == "text":
            if not _LABEL.match(part.get("text", "")):
                texts.append(part.get("text", ""))
        else:
            raise ValueError(f"content[{index}]: unsupported part type {kind!r}")
    if not audios:
        raise ValueError("the user message has no input_audio parts")
    return audios, "\n".join(t for t in texts if t.strip())


class QwenAudioChatBackend:
    """Greedy Qwen-Audio-Chat through its remote code (runs only in the old-transformers environment)."""

    def __init__(self, model: str, device: str = "cuda") -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model, trust_remote_code=True)
        self.model = AutoModelForCausalLM.from_pretrained(model, device_map=device, trust_remote_code=True).eval()
        config = self.model.generation_config
        config.do_sample = False
        config.top_p = None
        config.top_k = None

    def __call__(self, audio_paths: Sequence[str], text: str) -> str:
        query = self.tokenizer.from_list_format([*({"audio": p} for p in audio_paths), {"text": text}])
        response, _history = self.model.chat(self.tokenizer, query=query, history=None)
        return response


def make_handler(answer: AnswerFn, served_name: str, api_key: str | None) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()  # one generation at a time on the accelerator

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # request lines would be noise; errors go back to the client

        def _send(self, code: int, payload: dict) -> None:
            blob = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            self.wfile.write(blob)

        def _authorised(self) -> bool:
            if api_key and self.headers.get("Authorization") != f"Bearer {api_key}":
                self._send(401, {"error": {"message": "missing or wrong API key", "type": "invalid_request_error"}})
                return False
            return True

        def do_GET(self) -> None:
            if not self._authorised():
                return
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": served_name, "object": "model"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            if not self._authorised():
                return
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                if body.get("model") != served_name:
                    raise ValueError(f"this worker serves {served_name!r}, not {body.get('model')!r}")
                audios, text = parse_chat_request(body)
            except (ValueError, AttributeError) as exc:
                self._send(400, {"error": {"message": str(exc), "type": "invalid_request_error"}})
                return
            with tempfile.TemporaryDirectory(prefix="qwen-audio-") as folder:
                paths = []
                for index, data in enumerate(audios, start=1):
                    path = os.path.join(folder, f"audio{index}.wav")
                    with open(path, "wb") as handle:
                        handle.write(data)
                    paths.append(path)
                try:
                    with lock:
                        reply = answer(paths, text)
                except Exception as exc:  # report, keep serving
                    self._send(500, {"error": {"message": f"{type(exc).__name__}: {exc}", "type": "server_error"}})
                    return
            self._send(
                200,
                {
                    "id": f"chatcmpl-{time.time_ns()}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": served_name,
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
                    ],
                },
            )

    return Handler


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="Qwen/Qwen-Audio-Chat", help="hub id or local folder")
    parser.add_argument("--served-name", default="qwen-audio-chat", help="the model name clients send")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--api-key-env", default=None, help="if set, require this environment variable's key")
    args = parser.parse_args(argv)
    api_key = os.environ.get(args.api_key_env) if args.api_key_env else None
    backend = QwenAudioChatBackend(args.model, args.device)
    server = ThreadingHTTPServer((args.host, args.port), make_handler(backend, args.served_name, api_key))
    print(f"serving {args.model} as {args.served_name!r} on http://{args.host}:{args.port}/v1", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
