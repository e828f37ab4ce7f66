from django.urls import path

from mps.prices import views

app_name = "prices"
urlpatterns = [
    path("", views.index, name="index"),
    path("sku/<int:pricesku_id>/", views.sku, name="sku"),
    path("kurver/", views.baskets, name="baskets"),
    path("kurv/<int:basket_id>/", views.basket, name="basket"),
    path("betalt/", views.paid_own, name="paid_own"),
    path("betalt/<int:organisation_id>/", views.paid, name="paid"),
]
