"""Settings for the test suite: the same settings, with tasks run in-process."""

import os

os.environ["FAKTURANETT_TESTING"] = "1"

from fakturanett.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
