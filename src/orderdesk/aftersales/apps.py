from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftersalesConfig(AppConfig):
    name = "orderdesk.aftersales"
    label = "aftersales"
    verbose_name = _("After-sales")

    def ready(self) -> None:
        from orderdesk.core import navigation, panels, worklist
        from orderdesk.orders.selectors import ALL, TEAM

        from .selectors import my_tasks
        from .views.pages import panel_context

        navigation.register(
            navigation.Section(
                _("After-sales"),
                (
                    navigation.Entry(
                        _("After-sales cases"),
                        "aftersales:list",
                        (
                            "aftersales.handle_cases",
                            "shipping.report_delivery_exceptions",
                            ALL,
                            TEAM,
                        ),
                    ),
                ),
                order=45,
            )
        )
        worklist.register(my_tasks)
        panels.register(
            "orders.order", panels.Panel("aftersales/order_panel.html", panel_context, order=60)
        )
