from django.urls import path

from mps.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="index"),
    path("tjenester/", views.vendor, name="vendor"),
    path("tjenester/<int:service_id>/", views.service, name="service"),
    path("tjenester/<int:service_id>/erklaering/", views.declaration_edit, name="declaration_edit"),
    path(
        "tjenester/<int:service_id>/publiser/",
        views.declaration_publish,
        name="declaration_publish",
    ),
    path("erklaeringer/<int:declaration_id>/", views.declaration, name="declaration"),
    path("behandlinger/", views.activities, name="activities"),
    path("ny-behandling/", views.activity_create, name="activity_create"),
    path("behandlinger/<int:processingactivity_id>/", views.activity, name="activity"),
    path(
        "behandlinger/<int:processingactivity_id>/endre/",
        views.activity_edit,
        name="activity_edit",
    ),
    path(
        "behandlinger/<int:processingactivity_id>/vurder/",
        views.activity_reassess,
        name="activity_reassess",
    ),
    path("gjennomgang/", views.reviews, name="reviews"),
    path("gjennomgang/<int:reviewtask_id>/", views.review, name="review"),
    path("sammendrag/", views.summary, name="summary"),
    path("nasjonalt/", views.national, name="national"),
    path("dpf-kontroll/", views.dpf_control, name="dpf_control"),
    path("ledd/<int:hopassessment_id>/tia/", views.hop_tia, name="hop_tia"),
    path("dpf-listen/", views.dpf_list, name="dpf_list"),
    path("dpf-navn/", views.dpf_names, name="dpf_names"),
    path("protokoll-fides.json", views.record_fides, name="record_fides"),
    path("fides-import/", views.fides_upload, name="fides_upload"),
    *(
        path(
            f"ledd/<int:hopassessment_id>/scc.{fmt}",
            views.hop_scc,
            {"fmt": fmt},
            name=f"hop_scc_{fmt}",
        )
        for fmt in ("odt", "docx", "md")
    ),
    *(
        path(f"protokoll.{fmt}", views.record_export, {"fmt": fmt}, name=f"record_{fmt}")
        for fmt in ("ods", "xlsx", "csv", "pdf", "json")
    ),
]
