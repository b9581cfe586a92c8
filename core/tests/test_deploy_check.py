"""The documented production settings pass Django's deployment checklist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check_deploy(
    settings_module: str, tmp_path: Path, **extra: str
) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FAKTURANETT_", "SECURE_", "DEBUG"))
    }
    env.update(
        {
            "VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "fakturanett.no",
            "SITE_URL": "https://fakturanett.no",
            **extra,
        }
    )
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            f"--settings={settings_module}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_has_no_warnings_with_the_production_profile(tmp_path):
    result = _check_deploy("fakturanett.settings_production", tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


def test_the_profile_turns_on_what_the_plain_settings_leave_off(tmp_path):
    plain = _check_deploy("fakturanett.settings", tmp_path)
    output = plain.stdout + plain.stderr
    assert plain.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in output
    # Each setting stays configurable: turning HSTS off in production is reported again.
    off = _check_deploy("fakturanett.settings_production", tmp_path, SECURE_HSTS_SECONDS="0")
    assert off.returncode != 0 and "security.W004" in off.stdout + off.stderr
