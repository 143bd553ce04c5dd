"""Pages of the production app: the board, a production order, the order page panel."""

from django.urls import path

from . import views

app_name = "production"

urlpatterns = [
    path("", views.board, name="board"),
    path("orders/<int:order_id>/create/", views.create, name="create"),
    path("<int:po_id>/", views.detail, name="detail"),
    path("<int:po_id>/<slug:action>/", views.act, name="act"),
]
