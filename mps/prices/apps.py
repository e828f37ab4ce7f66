from django.apps import AppConfig


class PricesConfig(AppConfig):
    name = "mps.prices"
    label = "prices"
