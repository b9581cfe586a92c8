"""Segments and their members move from ``privacy`` to ``marketing`` (issue 10): state only.

The tables keep their names (``privacy_segment``, ``privacy_segmentmembership``, set in the
models' ``Meta.db_table``), so no row moves and no SQL runs; ``privacy/0009`` removes the
models from privacy's state. The content types follow the models, so permissions and
anything pointing at them stay attached.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def content_types_to(app_label: str, other: str):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for name in ("segment", "segmentmembership"):
            if not content_type.objects.filter(app_label=app_label, model=name).exists():
                content_type.objects.filter(app_label=other, model=name).update(
                    app_label=app_label
                )

    return move


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("marketing", "0002_campaign_consent_only"),
        ("privacy", "0008_controller_referral"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Segment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="navn")),
                        ("description", models.TextField(verbose_name="hva segmentet brukes til")),
                        ("criteria", models.TextField(verbose_name="kriterier")),
                    ],
                    options={"db_table": "privacy_segment"},
                ),
                migrations.CreateModel(
                    name="SegmentMembership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("added_at", models.DateTimeField(auto_now_add=True)),
                        ("reason", models.TextField(blank=True, verbose_name="hvorfor du er med")),
                        (
                            "segment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="members",
                                to="marketing.segment",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "privacy_segmentmembership",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "segment"), name="segment_member_unique"
                            )
                        ],
                    },
                ),
                migrations.AlterField(
                    model_name="segmentrule",
                    name="segment",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rule",
                        to="marketing.segment",
                    ),
                ),
                migrations.AlterField(
                    model_name="campaign",
                    name="segment",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="marketing.segment",
                        verbose_name="segment",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_to("marketing", "privacy"),
            content_types_to("privacy", "marketing"),
            elidable=True,
        ),
    ]
