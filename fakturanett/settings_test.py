"""Settings for the test suite: the same settings, with tasks run in-process."""

import os
import tempfile

os.environ["FAKTURANETT_TESTING"] = "1"

from fakturanett.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Archived PDFs and EHF files written by tests go to a throwaway folder, not var/media.
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="fakturanett-test-media-")},
    },
}
AXES_ENABLED = True
# One process runs the suite: a memory cache keeps tests without database access free of it
# (api/tests/test_shared_throttle.py tests the shared database cache itself).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests never call Enhetsregisteret; the look-up tests point BRREG_URL at a local server.
BRREG_URL = ""
ERASURE_JOURNAL_PATH = os.path.join(
    tempfile.mkdtemp(prefix="fakturanett-test-journal-"), "erasure-journal.jsonl"
)

# Browser tests run a live server thread beside the test thread. SQLite's shared in-memory
# database locks whole tables between them ("database table is locked"); a file in WAL
# mode lets one read while the other writes. `make test-browser` sets this.
if os.environ.get("FAKTURANETT_TEST_DB_FILE") and DATABASES["default"]["ENGINE"].endswith(  # noqa: F405
    "sqlite3"
):
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(VAR_DIR / "test-browser.sqlite3")  # noqa: F405
    }
