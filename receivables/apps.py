from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    name = "receivables"
    verbose_name = _("Innfordring")

    def ready(self) -> None:
        # Show receivables data on the invoice page and in the invoice API (lower apps
        # offer the hooks; this app registers into them).
        from receivables import emailkinds, receivers

        receivers.register()
        # The reminder and inkassovarsel e-mails on the company's e-mail texts page.
        emailkinds.register_kinds()
