from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mps.core"
    label = "core"
