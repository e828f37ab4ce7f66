from django.apps import AppConfig


class RiskscoreConfig(AppConfig):
    name = "mps.riskscore"
    label = "riskscore"
