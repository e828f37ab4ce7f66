from django.urls import path

from mps.core import views

app_name = "core"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("audit/", views.audit_log, name="audit_log"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path("health/", views.health, name="health"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
]
