"""Backup → change → restore: the data, the archived documents and the erasures since.

Runs on SQLite in the normal suite and on PostgreSQL (pg_dump/pg_restore) in CI's second
part. Transactional tests: a backup sees committed data only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from accounts.models import Role, User
from accounts.tests.factories import CompanyFactory, MembershipFactory
from core.backup import BackupError, Manifest, backup_create, backup_restore
from core.erasure_journal import journal_entries
from customers.models import Client
from customers.tests.factories import ClientFactory
from documents.models import StoredDocument
from invoicing import services as invoicing_services
from invoicing.models import Invoice
from invoicing.tests.factories import SYSTEM, draft_invoice, issued_invoice
from privacy.services.erasure import user_erase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path):
    location = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location


@pytest.fixture
def history(media):
    """A company with two issued invoices (PDF and EHF archived) and a second member."""
    company = CompanyFactory(name="Backup Regnskap AS")
    MembershipFactory(company=company, role=Role.OWNER)
    leaving = MembershipFactory(company=company, role=Role.MEMBER, user__full_name="Lise Lekk")
    with scope(company=company):
        # Committed issues archive their documents through the (immediate) task queue.
        invoices = [issued_invoice(company=company) for _ in range(2)]
    return company, invoices, leaving.user


def _stored_files(media: Path) -> dict[str, bytes]:
    return {
        p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()
    }


def test_round_trip_brings_back_data_and_documents_and_keeps_later_erasures(
    history, media, tmp_path
):
    company, invoices, leaving = history
    before_files = _stored_files(media)
    assert len(before_files) == 4

    manifest = backup_create(output=tmp_path / "backup")
    assert set(manifest.files) >= {manifest.database_file, *(f"media/{n}" for n in before_files)}

    # After the backup: a new client and a third invoice, and a person erased.
    with scope(company=company):
        ClientFactory(company=company, name="Kommer Etter Backup AS")
        issued_invoice(company=company)
    user_erase(user=leaving)
    assert [e.object_id for e in journal_entries()] == [leaving.pk]

    report = backup_restore(source=tmp_path / "backup")

    assert report.ok, report.steps
    with scopes_disabled():
        assert not Client.objects.filter(name="Kommer Etter Backup AS").exists()
        assert list(
            Invoice.objects.exclude(number=None).order_by("number").values_list("number", flat=True)
        ) == [i.number for i in invoices]
        assert StoredDocument.objects.count() == 4
    # The archive is exactly the backup's: the later invoice's file is gone too.
    assert _stored_files(media) == before_files
    # The person erased after the backup is erased again.
    leaving.refresh_from_db()
    assert not leaving.is_active
    assert leaving.full_name == ""
    assert leaving.email.endswith(".invalid")
    # Numbering continues from the restored series.
    with scope(company=company):
        next_invoice = issued_invoice(company=company)
    assert next_invoice.number == invoices[-1].number + 1


def test_a_damaged_backup_is_refused_and_nothing_is_restored(history, media, tmp_path):
    company, _invoices, _leaving = history
    backup_create(output=tmp_path / "backup")
    with scope(company=company):
        ClientFactory(company=company, name="Skal Bli AS")
    archived = next((tmp_path / "backup" / "media").rglob("*.pdf"))
    archived.write_bytes(archived.read_bytes() + b"tampered")

    with pytest.raises(BackupError, match="checksum differs"):
        backup_restore(source=tmp_path / "backup")

    with scopes_disabled():
        assert Client.objects.filter(name="Skal Bli AS").exists()


def test_a_backup_of_another_database_kind_is_refused(history, tmp_path):
    backup_create(output=tmp_path / "backup")
    path = tmp_path / "backup" / "manifest.json"
    data = json.loads(path.read_text())
    data["database"]["vendor"] = "oracle"
    path.write_text(json.dumps(data))

    with pytest.raises(BackupError, match="oracle"):
        backup_restore(source=tmp_path / "backup")


def test_backup_refuses_a_folder_that_is_not_empty(history, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", output=str(tmp_path / "backup"))


def test_restore_command_refuses_a_folder_without_manifest(db, tmp_path):
    with pytest.raises(CommandError, match="not a FakturaNett backup"):
        call_command("restore", str(tmp_path))


def test_manifest_lists_every_file_with_its_checksum(history, tmp_path):
    manifest = backup_create(output=tmp_path / "backup")
    read_back = Manifest.read(tmp_path / "backup")
    assert read_back.files == manifest.files
    assert all(len(digest) == 64 for digest in manifest.files.values())


def test_a_missing_archived_file_is_reported_by_the_check(history, media, capsys):
    _company, invoices, _leaving = history
    with scopes_disabled():
        stored = StoredDocument.objects.get(invoice=invoices[0], kind="pdf")
    (media / stored.file.name).unlink()

    with pytest.raises(CommandError, match="missing or changed"):
        call_command("documents_repair", "--check")

    output = capsys.readouterr().out
    assert "3 of 4 archived documents match" in output
    assert f"invoice id {invoices[0].pk}" in output
    assert "missing" in output


def test_erasing_twice_changes_nothing_in_the_journal_replay(history, tmp_path):
    _company, _invoices, leaving = history
    user_erase(user=leaving)
    backup_create(output=tmp_path / "backup")

    report = backup_restore(source=tmp_path / "backup")

    step = next(s for s in report.steps if s.name == "erasure journal replayed")
    assert step.ok
    assert "0 erased again" in step.lines[0]
    assert User.objects.filter(pk=leaving.pk, is_active=False).exists()


def test_draft_stays_a_draft(history, tmp_path):
    company, _invoices, _leaving = history
    with scope(company=company):
        draft = draft_invoice(company=company)
    backup_create(output=tmp_path / "backup")
    with scope(company=company):
        invoicing_services.invoice_issue(invoice=draft, actor=SYSTEM)

    backup_restore(source=tmp_path / "backup")

    with scopes_disabled():
        assert Invoice.objects.get(pk=draft.pk).number is None


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    with scopes_disabled():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        }


def test_wiped_installation_comes_back_row_for_row(history, media, tmp_path):
    import shutil

    counts = _row_counts()
    files = _stored_files(media)
    backup_create(output=tmp_path / "backup")
    call_command("flush", "--no-input", verbosity=0)
    shutil.rmtree(media)
    assert _row_counts()["invoicing.Invoice"] == 0

    report = backup_restore(source=tmp_path / "backup")

    documents_step = next(s for s in report.steps if s.name == "archived documents checked")
    assert documents_step.ok and "4 of 4" in documents_step.lines[0]
    restored = _row_counts()
    # The restore's own retention run adds its run row and audit rows; the rest is equal.
    written_by_restore = {"core.AuditEntry", "retention.RetentionRun"}
    assert {k: v for k, v in restored.items() if k not in written_by_restore} == {
        k: v for k, v in counts.items() if k not in written_by_restore
    }
    assert restored["core.AuditEntry"] >= counts["core.AuditEntry"]
    assert _stored_files(media) == files
