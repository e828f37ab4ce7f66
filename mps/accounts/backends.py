"""The operator's staff may maintain everything in the Django admin; nobody else may enter it."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend


def is_operator_staff(user) -> bool:
    org = getattr(user, "organisation", None)
    return bool(user.is_active and user.is_staff and org is not None and org.kind == "operator")


class OperatorPermissionBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return is_operator_staff(user_obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        return is_operator_staff(user_obj)
