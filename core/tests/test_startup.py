"""A serving process freezes what it loaded at start (``core.startup``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_wsgi_module_loads_the_site_and_freezes_it_before_the_first_request(tmp_path):
    # Imported as gunicorn imports it: the URL modules (and the views they import) are
    # loaded, and every object then alive is out of the full collections' walk.
    code = (
        "import gc, sys\n"
        "import fakturanett.wsgi\n"
        "loaded = 'invoicing.views.lists' in sys.modules\n"
        "frozen = gc.get_freeze_count()\n"
        "print(loaded, frozen, len(gc.get_objects()))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "fakturanett.settings", "VAR_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded, frozen, tracked = result.stdout.split()
    assert loaded == "True"
    # Nearly everything the process holds is frozen: only what the check itself made is not.
    assert int(frozen) > 50_000 and int(tracked) < int(frozen) // 100
