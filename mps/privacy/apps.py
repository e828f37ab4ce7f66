from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "mps.privacy"
    label = "privacy"
