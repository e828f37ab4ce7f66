from django.apps import AppConfig


class RiskscoreConfig(AppConfig):
    name = "mps.riskscore"
    label = "riskscore"

    def ready(self) -> None:
        from mps.registry.platforms import platforms_changed
        from mps.riskscore.signals import on_platforms_changed

        platforms_changed.connect(on_platforms_changed, dispatch_uid="riskscore-platforms")
