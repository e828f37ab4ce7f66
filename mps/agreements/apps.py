from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "mps.agreements"
    label = "agreements"
