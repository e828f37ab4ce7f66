from django.apps import AppConfig


class CostsConfig(AppConfig):
    name = "mps.costs"
    label = "costs"
