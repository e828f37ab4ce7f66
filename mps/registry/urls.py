from django.urls import path

from mps.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.search, name="search"),
    path("<int:service_id>/", views.service_detail, name="detail"),
    path("versjon/<int:serviceversion_id>/", views.version_detail, name="version"),
    path("leverandor/", views.vendor_portal, name="vendor_portal"),
    path("leverandor/ny/", views.service_create, name="create"),
    path("<int:service_id>/rediger/", views.service_edit, name="edit"),
    path("<int:service_id>/ny-versjon/", views.new_version, name="new_version"),
    path("<int:service_id>/publiser/", views.publish, name="publish"),
    path("<int:service_id>/trekk-tilbake/", views.withdraw, name="withdraw"),
]
