"""Stock pages, under /stock/."""

from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("low/", views.low, name="low"),
    path("adjust/", views.adjust, name="adjust"),
    path("receive/", views.receive, name="receive"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("warehouses/new/", views.create_warehouse, name="create_warehouse"),
    path(
        "warehouses/<int:warehouse_id>/locations/",
        views.add_location,
        name="add_location",
    ),
    path("products/<int:product_id>/movements/", views.movements, name="movements"),
]
