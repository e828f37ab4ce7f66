from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "mps.organisations"
    label = "organisations"
