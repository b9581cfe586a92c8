from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Fakturadokumenter")

    def ready(self) -> None:
        # After a restore: every archived PDF/EHF is checked against its SHA-256.
        from core.backup import register_restore_step
        from documents.integrity import archive_check

        register_restore_step("documents.archive", archive_check)
