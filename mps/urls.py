from django.contrib import admin
from django.urls import include, path

from mps.api import api

urlpatterns = [
    path("", include("mps.core.urls")),
    path("konto/", include("mps.accounts.urls")),
    path("tjenester/", include("mps.registry.urls")),
    path("avtaler/", include("mps.agreements.urls")),
    path("virksomheter/", include("mps.organisations.urls")),
    path("risiko/", include("mps.riskscore.urls")),
    path("kostnader/", include("mps.costs.urls")),
    path("personvern/", include("mps.privacy.urls")),
    path("priser/", include("mps.prices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
