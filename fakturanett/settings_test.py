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
