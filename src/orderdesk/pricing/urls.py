"""Price list and promotion pages (under /prices/)."""

from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    path("", views.price_list_list, name="list"),
    path("new/", views.create_price_list, name="create"),
    path("<int:price_list_id>/", views.price_list, name="detail"),
    path("<int:price_list_id>/edit/", views.edit_price_list, name="edit"),
    path("<int:price_list_id>/prices/", views.set_price, name="set_price"),
    path("<int:price_list_id>/import/", views.import_prices, name="import"),
    path("<int:price_list_id>/export/", views.export_prices, name="export"),
    path(
        "<int:price_list_id>/prices/<int:item_id>/remove/",
        views.remove_price,
        name="remove_price",
    ),
    path("promotions/", views.promotion_list, name="promotions"),
    path("promotions/new/", views.create_promotion, name="promotion_create"),
    path("promotions/<int:promotion_id>/", views.promotion, name="promotion"),
    path("promotions/<int:promotion_id>/edit/", views.edit_promotion, name="promotion_edit"),
]
