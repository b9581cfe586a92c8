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

        # At issue: a document whose EHF would break the rule set is not issued.
        from documents.issue_check import ehf_issue_problems
        from invoicing.hooks import register_issue_validator

        register_issue_validator(ehf_issue_problems)
