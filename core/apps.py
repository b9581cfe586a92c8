from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Every app says what its audit codes mean in an ``activity.py`` module
        # (``core.activity``): imported here, so a lower app never imports a higher one.
        from django.utils.module_loading import autodiscover_modules

        from core.bulk import register_lookups

        autodiscover_modules("activity")
        register_lookups()
