from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personvern")

    def ready(self) -> None:
        # Every app declares its personal-data fields in a ``privacy.py`` module (this
        # app's own ``privacy/privacy.py`` declares accounts, core and privacy).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("privacy")

        # After a restore, people erased since the backup are erased again.
        from core.backup import register_restore_step
        from privacy.restore import erasures_replay

        register_restore_step("privacy.erasures", erasures_replay)

        # The back office shows privacy's requests and statistics without importing privacy.
        from privacy import backoffice_hooks

        backoffice_hooks.register()
