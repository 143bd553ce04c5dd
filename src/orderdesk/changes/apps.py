from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "orderdesk.changes"
    label = "changes"
    verbose_name = _("Order changes")

    def ready(self) -> None:
        from orderdesk.core import navigation, panels, worklist

        from .my_tasks import apply_tasks, approval_tasks, invoice_tasks
        from .views.pages import order_panel_context

        # Change approvals awaiting the user, one queue per department; approved changes
        # the requester still has to apply; invoices finance corrects after a change.
        worklist.register(approval_tasks)
        worklist.register(apply_tasks)
        worklist.register(invoice_tasks)
        # The order page: its change requests and revisions, "Request a change".
        panels.register(
            "orders.order",
            panels.Panel("changes/order_panel.html", order_panel_context, order=25),
        )
        navigation.register(
            navigation.Section(
                _("Order changes"),
                (
                    navigation.Entry(
                        _("Change requests"),
                        "changes:list",
                        (
                            "changes.request_changes",
                            "orders.view_all_orders",
                            "orders.view_team_orders",
                        ),
                    ),
                ),
                order=12,
            )
        )
