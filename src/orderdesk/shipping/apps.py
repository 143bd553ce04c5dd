from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShippingConfig(AppConfig):
    name = "orderdesk.shipping"
    label = "shipping"
    verbose_name = _("Shipping and delivery")

    def ready(self) -> None:
        from orderdesk.core import navigation, panels, worklist

        from .my_tasks import delivery_tasks, paperwork_tasks
        from .views.pages import customer_panel_context, panel_context

        ship = "shipping.ship_orders"
        navigation.register(
            navigation.Section(
                _("Shipping"),
                (
                    navigation.Entry(
                        _("Shipments"),
                        "shipping:list",
                        (ship, "shipping.confirm_deliveries", "orders.view_all_orders"),
                    ),
                    navigation.Entry(
                        _("In transit"),
                        "shipping:in_transit",
                        (ship, "shipping.confirm_deliveries", "orders.view_all_orders"),
                    ),
                    navigation.Entry(
                        _("Carriers"), "shipping:carriers", "shipping.manage_carriers"
                    ),
                ),
                order=38,
            )
        )
        worklist.register(delivery_tasks)
        worklist.register(paperwork_tasks)
        panels.register(
            "orders.order", panels.Panel("shipping/order_panel.html", panel_context, order=40)
        )
        panels.register(
            "orders.customer_view",
            panels.Panel("shipping/customer_panel.html", customer_panel_context, order=40),
        )
