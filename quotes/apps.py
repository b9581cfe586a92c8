from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuotesConfig(AppConfig):
    name = "quotes"
    verbose_name = _("Tilbud")

    def ready(self) -> None:
        # The quote e-mail on the company's e-mail texts page (delivery.texts).
        from quotes import emailkinds

        emailkinds.register_kinds()
