"""The production settings profile: the defaults of ``settings.py`` with HTTPS enforced.

Use it with ``DJANGO_SETTINGS_MODULE=fakturanett.settings_production`` (the README's
"Production" section). Every value can still be overridden by its environment variable;
``manage.py check --deploy`` reports no warnings with this profile (a test runs it).
"""

from __future__ import annotations

import os

# Production defaults, each overridable by its environment variable (read by settings.py).
for _name, _value in {
    "DEBUG": "0",
    "SECURE_COOKIES": "1",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": str(60 * 60 * 24 * 365),
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}.items():
    os.environ.setdefault(_name, _value)

from fakturanett.settings import *  # noqa: E402, F403
