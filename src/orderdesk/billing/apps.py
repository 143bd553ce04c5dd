from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "orderdesk.billing"
    label = "billing"
    verbose_name = _("Invoicing and collection")

    def ready(self) -> None:
        from orderdesk.core import navigation, panels, worklist
        from orderdesk.orders import receivables

        from . import selectors
        from .my_tasks import collection_tasks
        from .views.pages import customer_panel_context, order_panel_context
        from .views.statements import customer_statements_context

        readers = ("billing.view_receivables", "billing.issue_invoices", "billing.record_payments")
        navigation.register(
            navigation.Section(
                _("Billing"),
                (
                    navigation.Entry(_("Invoices"), "billing:invoices", readers),
                    navigation.Entry(_("Payments"), "billing:payments", readers),
                    navigation.Entry(_("Receivables"), "billing:receivables", readers),
                    navigation.Entry(_("Collection"), "billing:collection", readers),
                    navigation.Entry(_("Statements"), "billing:statements", readers),
                    navigation.Entry(
                        _("Billing settings"), "billing:settings", "billing.manage_billing_settings"
                    ),
                ),
                order=42,
            )
        )
        panels.register(
            "orders.order", panels.Panel("billing/order_panel.html", order_panel_context, order=50)
        )
        panels.register(
            "customers.customer",
            panels.Panel("billing/customer_panel.html", customer_panel_context, order=30),
        )
        panels.register(
            "customers.customer",
            panels.Panel("billing/statement_panel.html", customer_statements_context, order=35),
        )
        worklist.register(collection_tasks)  # overdue invoices to chase (collection.py)
        # The finance review, the release check of orders and shipping's clearance read these.
        receivables.register(
            receivables.Receivables(
                exposure=selectors.exposure,
                overdue=selectors.overdue,
                deposit_received=selectors.deposit_received,
                paid_on_order=selectors.paid_on_order,
            )
        )
