from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "mps.registry"
    label = "registry"
