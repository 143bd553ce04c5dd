from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductionConfig(AppConfig):
    name = "orderdesk.production"
    label = "production"
    verbose_name = _("Production")

    def ready(self) -> None:
        from orderdesk.core import navigation, panels, worklist
        from orderdesk.orders.selectors import ALL, TEAM

        from .my_tasks import production_tasks
        from .views import order_panel_context

        navigation.register(
            navigation.Section(
                _("Production"),
                (
                    navigation.Entry(
                        _("Production board"),
                        "production:board",
                        (ALL, TEAM, "production.manage_production_orders"),
                    ),
                ),
                order=20,
            )
        )
        worklist.register(production_tasks)
        panels.register(
            "orders.order",
            panels.Panel("production/order_panel.html", order_panel_context, order=20),
        )
