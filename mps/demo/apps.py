from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mps.demo"
    label = "demo"
