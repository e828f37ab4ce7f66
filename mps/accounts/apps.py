from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mps.accounts"
    label = "accounts"
