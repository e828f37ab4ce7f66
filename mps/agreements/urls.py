from django.urls import path

from mps.agreements import views, views_calloffs

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("<int:frameworkagreement_id>/", views.agreement_detail, name="detail"),
    path("<int:frameworkagreement_id>/medlemskap/", views.membership_decide, name="membership"),
    path("dokumenter/<int:agreementdocument_id>/", views.document_download, name="document"),
    path("nasjonalt/", views.national, name="national"),
    path("kontrakter/", views_calloffs.contracts, name="contracts"),
    path("avrop/", views_calloffs.calloff_list, name="calloffs"),
    path("avrop/ny/", views_calloffs.calloff_create, name="calloff_create"),
    path("avrop/<int:calloff_id>/", views_calloffs.calloff_detail, name="calloff_detail"),
    path("avrop/<int:calloff_id>/rediger/", views_calloffs.calloff_edit, name="calloff_edit"),
    path(
        "avrop/<int:calloff_id>/aktiver/",
        views_calloffs.calloff_transition,
        {"transition": "activate"},
        name="calloff_activate",
    ),
    path(
        "avrop/<int:calloff_id>/kanseller/",
        views_calloffs.calloff_transition,
        {"transition": "cancel"},
        name="calloff_cancel",
    ),
    path(
        "avrop/<int:calloff_id>/avslutt/",
        views_calloffs.calloff_transition,
        {"transition": "end"},
        name="calloff_end",
    ),
    path(
        "avrop/<int:calloff_id>/dokument.pdf",
        views_calloffs.calloff_document,
        {"fmt": "pdf"},
        name="calloff_pdf",
    ),
    path(
        "avrop/<int:calloff_id>/dokument.odt",
        views_calloffs.calloff_document,
        {"fmt": "odt"},
        name="calloff_odt",
    ),
    path(
        "avrop/<int:calloff_id>/dokument.docx",
        views_calloffs.calloff_document,
        {"fmt": "docx"},
        name="calloff_docx",
    ),
]
