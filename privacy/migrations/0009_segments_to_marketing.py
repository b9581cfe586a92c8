"""Segments and their members now belong to ``marketing`` (``marketing/0003``): removed from
privacy's state only; the tables stay where they are, under their old names."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0008_controller_referral"),
        ("marketing", "0003_segments_from_privacy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SegmentMembership"),
                migrations.DeleteModel(name="Segment"),
            ],
            database_operations=[],
        ),
    ]
