"""Test helper: a stand-in for Enhetsregisteret's open API on a local HTTP server."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator

from django.core.cache import cache

ORGNR = "974760673"
# The documented shape of GET /enhetsregisteret/api/enheter/{orgnr} (fields we read, and a
# few we do not).
ENHET = {
    "organisasjonsnummer": ORGNR,
    "navn": "REGISTERENHETEN I BRØNNØYSUND",
    "organisasjonsform": {"kode": "ORGL", "beskrivelse": "Organisasjonsledd"},
    "forretningsadresse": {
        "land": "Norge",
        "landkode": "NO",
        "postnummer": "8900",
        "poststed": "BRØNNØYSUND",
        "adresse": ["Havnegata 48"],
        "kommune": "BRØNNØY",
        "kommunenummer": "1813",
    },
    "postadresse": {
        "land": "Norge",
        "landkode": "NO",
        "postnummer": "8910",
        "poststed": "BRØNNØYSUND",
        "adresse": ["Postboks 900", "Tollbua"],
    },
    "registrertIMvaregisteret": True,
    "registrertIForetaksregisteret": False,
    "konkurs": False,
}


class Register:
    """A stand-in for data.brreg.no: answers each path from ``answers``."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes, float]] = {}
        self.paths: list[str] = []
        self.url = ""


def serve(settings) -> Iterator[Register]:
    """Start the stand-in, point ``BRREG_URL`` at it; a test module's fixture yields from it."""
    register = Register()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            register.paths.append(self.path)
            status, body, delay = register.answers.get(self.path, (404, b'{"feilmelding":"x"}', 0))
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    register.url = f"http://127.0.0.1:{httpd.server_address[1]}/enhetsregisteret/api/enheter"
    settings.BRREG_URL = register.url
    settings.BRREG_TIMEOUT = 0.5
    cache.clear()
    yield register
    cache.clear()
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


def path(orgnr: str = ORGNR) -> str:
    return f"/enhetsregisteret/api/enheter/{orgnr}"


def found(register: Register, enhet: dict[str, object] | None = None) -> None:
    body = enhet or ENHET
    register.answers[path(str(body["organisasjonsnummer"]))] = (200, json.dumps(body).encode(), 0)
