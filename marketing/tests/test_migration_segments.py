"""marketing/0003 + privacy/0009 move the segment models by state only: rows written
before the move are the rows after it, in the same tables, with their links intact."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("marketing", "0002_campaign_consent_only"), ("privacy", "0008_controller_referral")]
AFTER = [("marketing", "0003_segments_from_privacy"), ("privacy", "0009_segments_to_marketing")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_segments_written_before_the_move_survive_it():
    old = _migrate(BEFORE).loader.project_state(BEFORE).apps
    user = old.get_model("accounts", "User").objects.create(
        email="segment@example.no", full_name="Seg Ment", password="!"
    )
    segment = old.get_model("privacy", "Segment").objects.create(
        name="Storbrukere", description="Tilbud", criteria="> 10"
    )
    old.get_model("privacy", "SegmentMembership").objects.create(
        user_id=user.pk, segment_id=segment.pk, reason="fordi"
    )
    old.get_model("marketing", "SegmentRule").objects.create(
        segment_id=segment.pk, kind="language", language="en"
    )
    old.get_model("marketing", "Campaign").objects.create(
        name="Vår", segment_id=segment.pk, subject="Hei", body="Tekst", created_by_id=user.pk
    )

    new = _migrate(AFTER).loader.project_state(AFTER).apps
    assert not any(m._meta.label == "privacy.Segment" for m in new.get_models())
    moved = new.get_model("marketing", "Segment").objects.get()
    assert (moved.pk, moved.name) == (segment.pk, "Storbrukere")
    member = new.get_model("marketing", "SegmentMembership").objects.get()
    assert (member.user_id, member.segment_id, member.reason) == (user.pk, segment.pk, "fordi")
    assert new.get_model("marketing", "SegmentRule").objects.get().segment_id == segment.pk
    assert new.get_model("marketing", "Campaign").objects.get().segment_id == segment.pk
    # The current models read the same tables.
    from marketing.models import Segment, SegmentMembership

    assert Segment.objects.get().name == "Storbrukere"
    assert SegmentMembership.objects.get().segment.members.count() == 1
    assert Segment._meta.db_table in connection.introspection.table_names()
