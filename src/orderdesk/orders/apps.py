from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orderdesk.orders"
    label = "orders"
    verbose_name = _("Sales orders")

    def ready(self) -> None:
        from orderdesk.core import navigation, panels, worklist

        from .my_tasks import review_tasks
        from .selectors import ALL, TEAM
        from .services import confirmation, followups
        from .views.confirmation import panel_context
        from .views.listing import customer_orders_panel

        enter = "orders.enter_orders"
        navigation.register(
            navigation.Section(
                _("Orders"),
                (
                    navigation.Entry(_("Orders"), "orders:list", (ALL, TEAM, enter)),
                    # The entry form (views/entry.py).
                    navigation.Entry(_("New order"), "orders:create", enter),
                    navigation.Entry(
                        _("Review settings"), "orders:settings", "orders.manage_order_settings"
                    ),
                ),
                order=10,
            )
        )
        # Review steps awaiting the user appear on "My tasks", one queue per step.
        worklist.register(review_tasks)
        worklist.register(followups.tasks_for)  # open follow-ups with the customer
        worklist.register(confirmation.chase_tasks_for)  # confirmations to chase
        panels.register(
            "orders.order", panels.Panel("orders/confirmation_panel.html", panel_context, order=10)
        )
        panels.register(
            "customers.customer",
            panels.Panel("orders/customer_orders_panel.html", customer_orders_panel, order=10),
        )
