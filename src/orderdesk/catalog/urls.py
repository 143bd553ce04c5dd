"""Product and category pages."""

from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("new/", views.create, name="create"),
    path("import/", views.import_products, name="import"),
    path("export/", views.export, name="export"),
    path("categories/", views.category_list, name="categories"),
    path("categories/new/", views.create_category, name="category_create"),
    path("categories/<int:category_id>/edit/", views.edit_category, name="category_edit"),
    path("<int:product_id>/", views.detail, name="detail"),
    path("<int:product_id>/edit/", views.edit, name="edit"),
]
