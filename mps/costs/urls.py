from django.urls import path

from mps.costs import views

app_name = "costs"
urlpatterns = [
    path("", views.index, name="index"),
    path("datakvalitet/", views.data_quality, name="data_quality"),
    path("nasjonalt/", views.national_view, name="national"),
    # Short addresses for the agency's own pages (bookmarks, the accessibility tour).
    path("fordeling/", views.own, {"page": "breakdown"}, name="own_breakdown"),
    path("avvik/", views.own, {"page": "anomalies"}, name="own_anomalies"),
    path("prognose/", views.own, {"page": "forecast"}, name="own_forecast"),
    path("sammenligning/", views.own, {"page": "benchmark"}, name="own_benchmark"),
    path("importer/", views.own, {"page": "imports"}, name="own_imports"),
    path("virksomhet/<int:organisation_id>/", views.organisation, name="organisation"),
    path("virksomhet/<int:organisation_id>/fordeling/", views.breakdown, name="breakdown"),
    path("virksomhet/<int:organisation_id>/avvik/", views.anomalies, name="anomalies"),
    path("virksomhet/<int:organisation_id>/prognose/", views.forecast, name="forecast"),
    path("virksomhet/<int:organisation_id>/importer/", views.imports, name="imports"),
    path("virksomhet/<int:organisation_id>/last-opp/", views.upload, name="upload"),
    path("virksomhet/<int:organisation_id>/sammenligning/", views.benchmark, name="benchmark"),
    path("opplasting/<int:costupload_id>/", views.upload_status, name="upload_status"),
    path("import/<int:costimport_id>/", views.import_detail, name="import_detail"),
]
