"""Pages of the billing app (/billing/)."""

from django.urls import path

from .views import collection, pages, settings, statements

app_name = "billing"

urlpatterns = [
    path("invoices/", pages.invoice_list, name="invoices"),
    path("invoices/<int:invoice_id>/", pages.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_id>/issue", pages.invoice_issue, name="invoice_issue"),
    path("invoices/<int:invoice_id>/fapiao", pages.invoice_fapiao, name="invoice_fapiao"),
    path("invoices/<int:invoice_id>/void", pages.invoice_void, name="invoice_void"),
    path("invoices/<int:invoice_id>/credit", pages.invoice_credit, name="invoice_credit"),
    path("invoices/<int:invoice_id>/send", pages.invoice_send, name="invoice_send"),
    path("invoices/<int:invoice_id>/invoice.pdf", pages.invoice_document, name="invoice_pdf"),
    path(
        "invoices/<int:invoice_id>/apply-deposit",
        pages.invoice_apply_deposit,
        name="invoice_apply_deposit",
    ),
    path("orders/<int:order_id>/invoice/", pages.invoice_new, name="invoice_new"),
    path("orders/<int:order_id>/deposit/", pages.deposit_new, name="deposit_new"),
    path("payments/", pages.payment_list, name="payments"),
    path("payments/new/", pages.payment_new, name="payment_new"),
    path("payments/<int:payment_id>/", pages.payment_detail, name="payment"),
    path("payments/<int:payment_id>/allocate", pages.payment_allocate, name="payment_allocate"),
    path(
        "allocations/<int:allocation_id>/reverse",
        pages.allocation_reverse,
        name="allocation_reverse",
    ),
    path("receivables/", pages.receivables, name="receivables"),
    *settings.urlpatterns,
    *statements.urlpatterns,
    *collection.urlpatterns,
]
