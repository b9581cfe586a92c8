from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Utsendelse")

    def ready(self) -> None:
        # After an invoice or credit note is issued and committed: store its documents.
        from delivery import receivers, texts  # noqa: F401  (texts: this app's e-mail kinds)
        from invoicing.hooks import on_document_issued, register_invoice_panel

        on_document_issued(
            receivers.store_documents_after_issue,
            many=receivers.store_documents_after_issue_many,
        )
        # The send log on the invoice page, without invoicing importing delivery.
        register_invoice_panel(receivers.send_log_panel, slot="log")
