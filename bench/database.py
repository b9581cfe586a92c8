"""The database a benchmark writes to: never the developer's own."""

from __future__ import annotations

import os
from pathlib import Path


def use_scratch_database(name: str) -> str:
    """Point the default connection at a scratch database and describe it.

    With ``DATABASE_URL`` set, that database is used (make it a scratch database: the
    benchmarks write to it). Otherwise a fresh SQLite file ``var/bench/<name>.sqlite3``.
    The caller migrates it.
    """
    from django.conf import settings
    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        return f"{connection.vendor} {connection.settings_dict['NAME']} (DATABASE_URL)"
    path = Path(settings.VAR_DIR) / "bench" / f"{name}.sqlite3"
    developer_db = Path(settings.VAR_DIR) / "fakturanett.sqlite3"
    assert path.resolve() != developer_db.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection.close()
    connection.settings_dict["NAME"] = str(path)
    return f"sqlite {path.relative_to(settings.BASE_DIR)}"


def plain_static_files() -> None:
    """Pages link static files; a benchmark needs no collectstatic manifest."""
    from django.conf import settings

    settings.STORAGES["staticfiles"]["BACKEND"] = (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
