"""The product sends no SMS (log-in codes come from an authenticator app, marketing goes by
e-mail only), so the SMS provider seeded in 0002 is not a sub-processor: it is marked
inactive and no longer listed in the statement or the Art. 30 record."""

from django.db import migrations


def deactivate(apps, schema_editor):
    SubProcessor = apps.get_model("privacy", "SubProcessor")
    SubProcessor.objects.filter(name="LINK Mobility AS").update(active=False)


def reactivate(apps, schema_editor):
    SubProcessor = apps.get_model("privacy", "SubProcessor")
    SubProcessor.objects.filter(name="LINK Mobility AS").update(active=True)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0005_privacyrequest_assigned_to_privacyrequest_channel_and_more"),
    ]

    operations = [migrations.RunPython(deactivate, reactivate)]
