"""core.http against a real local HTTP server that the test starts."""

from __future__ import annotations

import http.server
import socket
import threading
import time

import pytest

from core.http import HttpError, http_request


class Scripted:
    """Answers each request with the next (status, body, delay) of a script."""

    def __init__(self, script):
        self.script = list(script)
        self.requests: list[tuple[str, str, bytes]] = []
        self.url = ""


@pytest.fixture
def server():
    scripted = Scripted([])

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            scripted.requests.append((self.command, self.path, self.rfile.read(length)))
            status, body, delay = scripted.script.pop(0) if scripted.script else (200, b"", 0)
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    scripted.url = f"http://127.0.0.1:{httpd.server_address[1]}/api"
    yield scripted
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def test_a_successful_answer_carries_status_and_body(server):
    server.script = [(200, b'{"id": "abc"}', 0)]
    answer = http_request("POST", server.url, body=b"<x/>", timeout=2)
    assert answer.status == 200 and answer.json() == {"id": "abc"}
    assert server.requests == [("POST", "/api", b"<x/>")]


@pytest.mark.parametrize(
    ("status", "permanent"),
    [(400, True), (404, True), (408, False), (429, False), (500, False), (503, False)],
)
def test_errors_are_classified_permanent_or_temporary(server, status, permanent):
    server.script = [(status, b'{"message": "no"}', 0)]
    with pytest.raises(HttpError) as caught:
        http_request("POST", server.url, body=b"x", timeout=2)
    assert caught.value.permanent is permanent
    assert caught.value.status == status and caught.value.body == b'{"message": "no"}'


def test_a_read_is_retried_after_a_temporary_error_but_a_post_is_sent_once(server):
    server.script = [(503, b"", 0), (200, b"ok", 0)]
    assert http_request("GET", server.url, timeout=2, retries=2).body == b"ok"
    assert len(server.requests) == 2

    server.requests.clear()
    server.script = [(503, b"", 0), (200, b"ok", 0)]
    with pytest.raises(HttpError):
        http_request("POST", server.url, body=b"x", timeout=2, retries=2)
    assert len(server.requests) == 1


def test_retries_stop_after_the_limit(server):
    server.script = [(503, b"", 0)] * 5
    with pytest.raises(HttpError) as caught:
        http_request("GET", server.url, timeout=2, retries=2)
    assert caught.value.status == 503 and not caught.value.permanent
    assert len(server.requests) == 3


def test_a_slow_answer_is_a_temporary_timeout(server):
    server.script = [(200, b"late", 1.0)]
    with pytest.raises(HttpError) as caught:
        http_request("POST", server.url, body=b"x", timeout=0.2)
    assert not caught.value.permanent and "Timeout" in str(caught.value)


def test_a_refused_connection_is_temporary():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(HttpError) as caught:
        http_request("GET", f"http://127.0.0.1:{port}/", timeout=1)
    assert not caught.value.permanent and caught.value.status is None


def test_an_oversized_answer_is_refused(server):
    server.script = [(200, b"x" * 2000, 0)]
    with pytest.raises(HttpError) as caught:
        http_request("GET", server.url, timeout=2, max_bytes=1000)
    assert caught.value.permanent


def test_only_http_urls_are_called():
    with pytest.raises(ValueError):
        http_request("GET", "file:///etc/passwd", timeout=1)
