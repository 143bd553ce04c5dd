"""Pages of the shipping app (/shipping/)."""

from django.urls import path

from .views import pages

app_name = "shipping"

urlpatterns = [
    path("", pages.shipment_list, name="list"),
    path("in-transit/", pages.in_transit, name="in_transit"),
    path("carriers/", pages.carriers, name="carriers"),
    path("new/<int:order_id>/", pages.new_shipment, name="create"),
    path("orders/<int:order_id>/clearance/<str:action>/", pages.clearance_action, name="clearance"),
    path("<int:shipment_id>/", pages.detail, name="detail"),
    path("<int:shipment_id>/confirm", pages.confirm, name="confirm"),
    path("<int:shipment_id>/cancel", pages.cancel, name="cancel"),
    path("<int:shipment_id>/tracking", pages.tracking, name="tracking"),
    path("<int:shipment_id>/notice.pdf", pages.notice, name="notice_pdf"),
    path("<int:shipment_id>/notice/send", pages.send_notice, name="send_notice"),
    path("<int:shipment_id>/delivery", pages.deliver, name="deliver"),
    path("<int:shipment_id>/exception", pages.report_exception, name="report_exception"),
    path("<int:shipment_id>/proof", pages.proof, name="proof"),
    path("d/<str:token>/", pages.deliver_public, name="deliver_public"),
    path("d/<str:token>/notice.pdf", pages.deliver_public_pdf, name="deliver_public_pdf"),
]
