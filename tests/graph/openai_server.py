"""A small OpenAI-compatible HTTP server for tests: answers /v1/chat/completions from a script."""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count

_ids = count(1)


def tool_call_reply(name: str, **args) -> dict:
    """A completion whose message calls one tool, in OpenAI's wire format."""
    call = {"id": f"call_{next(_ids)}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
    return {"role": "assistant", "content": None, "tool_calls": [call]}


def text_reply(text: str) -> dict:
    """A completion whose message is plain text."""
    return {"role": "assistant", "content": text}


@dataclass(frozen=True)
class Stall:
    """A step that answers nothing for this long (then a 500): a model endpoint that times out."""

    seconds: float


class ScriptedOpenAI:
    """Serves scripted assistant messages (HTTP errors given as ints, stalls as Stall) and records every request."""

    def __init__(self, script: list):
        self.script = list(script)
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (the stdlib's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                step = server.script.pop(0) if server.script else 500
                if isinstance(step, Stall):
                    time.sleep(step.seconds)
                    step = 500
                if isinstance(step, int):
                    self._send(step, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                usage = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
                choice = {
                    "index": 0,
                    "message": step,
                    "finish_reason": "tool_calls" if step.get("tool_calls") else "stop",
                }
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": 0,
                        "model": body["model"],
                        "choices": [choice],
                        "usage": usage,
                    },
                )

            def _send(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
