"""Customer pages."""

from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.create, name="create"),
    path("import/", views.import_customers, name="import"),
    path("export.xlsx", views.export, name="export"),
    path("settings/credit/", views.credit_settings, name="credit_settings"),
    path("<int:customer_id>/", views.detail, name="detail"),
    path("<int:customer_id>/edit/", views.edit, name="edit"),
    path("<int:customer_id>/merge/", views.merge, name="merge"),
    path("<int:customer_id>/contacts/add/", views.add_contact, name="add_contact"),
    path(
        "<int:customer_id>/contacts/<int:contact_id>/edit/",
        views.edit_contact,
        name="edit_contact",
    ),
    path(
        "<int:customer_id>/contacts/<int:contact_id>/left/",
        views.mark_contact_left,
        name="contact_left",
    ),
    path(
        "<int:customer_id>/contacts/<int:contact_id>/primary/",
        views.set_primary_contact,
        name="set_primary_contact",
    ),
    path("<int:customer_id>/needs/add/", views.add_need, name="add_need"),
    path("<int:customer_id>/interactions/add/", views.add_interaction, name="add_interaction"),
    path(
        "<int:customer_id>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("<int:customer_id>/credit/evaluate/", views.evaluate_credit, name="evaluate_credit"),
    path("<int:customer_id>/credit/apply/", views.apply_credit_proposal, name="apply_credit"),
    path("<int:customer_id>/credit/set/", views.set_credit, name="set_credit"),
]
