"""Backup and restore of one installation: database, archived documents, signing key.

A backup is a folder::

    manifest.json          what is in it, with a SHA-256 per file
    database.sqlite3       SQLite's online backup (or database.pgdump: pg_dump -Fc)
    media/...              the default storage (archived PDFs and EHF files, logos)
    secret_key             the embedded signing key, when the installation has one

``backup_restore`` refuses a folder whose files do not match the manifest, then puts the
database, the files and the key back and runs the *restore steps* that other apps register
(``register_restore_step``): the documents app checks every archived file against the
SHA-256 the database holds; the privacy app replays the erasure journal, so that a restore
never brings back a person erased after the backup was made; retention applies its rules
for today. Core knows none of them (it is the lowest layer).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, connections

MANIFEST = "manifest.json"
FORMAT = 1
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in words."""


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    lines: list[str] = field(default_factory=list)


RestoreStep = Callable[[datetime.datetime], StepResult]
_steps: dict[str, RestoreStep] = {}


def register_restore_step(name: str, step: RestoreStep) -> None:
    """Run ``step(backup_created_at)`` after every restore (called from ``AppConfig.ready``)."""
    _steps[name] = step


def restore_steps() -> dict[str, RestoreStep]:
    return dict(_steps)


@dataclass(frozen=True)
class Manifest:
    created_at: datetime.datetime
    vendor: str
    database_file: str
    files: dict[str, str]

    def as_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "created_at": self.created_at.isoformat(),
                "database": {"vendor": self.vendor, "file": self.database_file},
                "files": self.files,
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / MANIFEST
        if not path.is_file():
            raise BackupError(f"{folder} has no {MANIFEST}: it is not a FakturaNett backup.")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise BackupError(f"Unknown backup format {data.get('format')!r}.")
            return cls(
                created_at=datetime.datetime.fromisoformat(data["created_at"]),
                vendor=data["database"]["vendor"],
                database_file=data["database"]["file"],
                files=dict(data["files"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"{path} cannot be read: {exc}") from exc


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    steps: list[StepResult]

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_root() -> Path:
    """The folder of the default storage (a file-system storage in every set-up we ship)."""
    location = getattr(default_storage, "location", None)
    if not location:
        raise BackupError("The default storage is not a folder; back it up with its own tools.")
    return Path(location)


def _secret_key_file() -> Path:
    return Path(settings.VAR_DIR) / "secret_key"


# --- Database --------------------------------------------------------------------------
def _pg_env_and_name() -> tuple[dict[str, str], str]:
    params = connection.settings_dict
    env = dict(os.environ)
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    env["PGHOST"] = str(params.get("HOST") or "127.0.0.1")
    env["PGPORT"] = str(params.get("PORT") or "5432")
    if params.get("USER"):
        env["PGUSER"] = str(params["USER"])
    return env, str(params["NAME"])


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def _database_dump(target_dir: Path) -> str:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = target_dir / "database.sqlite3"
        destination = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while others may write.
            connection.connection.backup(destination)
        finally:
            destination.close()
        return target.name
    if connection.vendor == "postgresql":
        env, name = _pg_env_and_name()
        target = target_dir / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", name], env)
        return target.name
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _database_load(source: Path, vendor: str) -> None:
    if vendor != connection.vendor:
        raise BackupError(
            f"The backup holds a {vendor} database; this installation runs {connection.vendor}."
        )
    if vendor == "sqlite":
        connection.ensure_connection()
        origin = sqlite3.connect(source)
        try:
            origin.backup(connection.connection)
        finally:
            origin.close()
        return
    env, name = _pg_env_and_name()
    connections.close_all()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={name}",
            str(source),
        ],
        env,
    )


# --- Backup ----------------------------------------------------------------------------
def backup_create(*, output: Path) -> Manifest:
    """Write a backup into ``output`` (a new or empty folder) and return its manifest."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty; give a new folder for each backup.")
    output.mkdir(parents=True, exist_ok=True)
    created_at = datetime.datetime.now(tz=datetime.UTC)
    database_file = _database_dump(output)
    media = media_root()
    if media.is_dir():
        shutil.copytree(media, output / "media", dirs_exist_ok=True)
    key = _secret_key_file()
    if key.is_file() and not os.environ.get("SECRET_KEY"):
        shutil.copy2(key, output / "secret_key")
    files = {
        path.relative_to(output).as_posix(): sha256_of(path)
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }
    manifest = Manifest(
        created_at=created_at,
        vendor=connection.vendor,
        database_file=database_file,
        files=files,
    )
    (output / MANIFEST).write_text(manifest.as_json(), encoding="utf-8")
    return manifest


# --- Restore ---------------------------------------------------------------------------
def backup_verify(*, source: Path) -> Manifest:
    """The manifest, once every file it names is present with its SHA-256; else BackupError."""
    source = Path(source)
    manifest = Manifest.read(source)
    problems: list[str] = []
    for relative, expected in sorted(manifest.files.items()):
        path = (source / relative).resolve()
        if source.resolve() not in path.parents:
            problems.append(f"{relative}: outside the backup folder")
        elif not path.is_file():
            problems.append(f"{relative}: missing")
        elif sha256_of(path) != expected:
            problems.append(f"{relative}: checksum differs")
    if manifest.database_file not in manifest.files:
        problems.append(f"{manifest.database_file}: the database file is not in the manifest")
    if problems:
        raise BackupError(
            "The backup is damaged; nothing was restored:\n  " + "\n  ".join(problems)
        )
    return manifest


def _replace_media(source: Path) -> None:
    media = media_root()
    if media.exists():
        shutil.rmtree(media)
    if source.is_dir():
        shutil.copytree(source, media)
    else:
        media.mkdir(parents=True)


def backup_restore(*, source: Path) -> RestoreReport:
    """Verify, then restore database, archived files and key; then every restore step."""
    source = Path(source)
    manifest = backup_verify(source=source)
    _database_load(source / manifest.database_file, manifest.vendor)
    _replace_media(source / "media")
    if (source / "secret_key").is_file():
        shutil.copy2(source / "secret_key", _secret_key_file())
    results = [step(manifest.created_at) for step in restore_steps().values()]
    return RestoreReport(manifest=manifest, steps=results)


def describe(report: RestoreReport) -> list[str]:
    """The lines a command prints about a restore."""
    lines = [f"Restored the backup made {report.manifest.created_at:%Y-%m-%d %H:%M:%S %Z}."]
    for step in report.steps:
        lines.append(f"{'OK' if step.ok else 'PROBLEM'}: {step.name}")
        lines.extend(f"  {line}" for line in step.lines)
    return lines


def as_jsonable(report: RestoreReport) -> dict[str, Any]:
    return {
        "created_at": report.manifest.created_at.isoformat(),
        "steps": [{"name": s.name, "ok": s.ok, "lines": s.lines} for s in report.steps],
    }
