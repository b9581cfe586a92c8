from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Lagring og sletting")

    def ready(self) -> None:
        # After a restore: what expired between the backup and today is deleted again.
        from core.backup import register_restore_step
        from retention.restore import retention_reapply

        register_restore_step("retention.rules", retention_reapply)
