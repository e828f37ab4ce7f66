from django.urls import path

from mps.prices import views

app_name = "prices"
urlpatterns = [
    path("", views.index, name="index"),
    path("sku/<int:pricesku_id>/", views.sku, name="sku"),
    path("kurver/", views.baskets, name="baskets"),
    path("kurver/ny/", views.basket_new, name="basket_new"),
    path("kurver/<int:basket_id>/endre/", views.basket_edit, name="basket_edit"),
    path("kurver/<int:basket_id>/slett/", views.basket_delete, name="basket_delete"),
    path("kurv/<int:basket_id>/", views.basket, name="basket"),
    path("betalt/", views.paid_own, name="paid_own"),
    path("betalt/<int:organisation_id>/", views.paid, name="paid"),
]
