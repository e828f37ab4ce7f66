from django.urls import path

from mps.riskscore import views

app_name = "riskscore"
urlpatterns = [
    path("", views.index, name="index"),
    path("nasjonalt/", views.national, name="national"),
    path("innsyn/", views.grants, name="grants"),
    path("innsyn/<int:evidencegrant_id>/avslutt/", views.revoke_grant, name="revoke_grant"),
    path("virksomhet/<int:organisation_id>/", views.organisation, name="organisation"),
    path("virksomhet/<int:organisation_id>/forklaring/", views.explain, name="explain"),
    path("virksomhet/<int:organisation_id>/skann/", views.scan_now, name="scan"),
    path("virksomhet/<int:organisation_id>/fotavtrykk/", views.footprint, name="footprint"),
    path("eiendel/<int:asset_id>/", views.asset, name="asset"),
    path("eiendel/<int:asset_id>/fjern/", views.asset_remove, name="asset_remove"),
    path("funn/<int:finding_id>/", views.finding, name="finding"),
    path("funn/<int:finding_id>/test-pa-nytt/", views.retest, name="retest"),
    path("bestridelse/<int:dispute_id>/", views.dispute, name="dispute"),
]
