from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreparationConfig(AppConfig):
    name = "orderdesk.preparation"
    label = "preparation"
    verbose_name = _("Preparation")

    def ready(self) -> None:
        from orderdesk.core import navigation, panels, worklist

        from .selectors import my_tasks
        from .views.pages import panel_context

        navigation.register(
            navigation.Section(
                _("Preparation"),
                (
                    navigation.Entry(
                        _("Pick lists"), "preparation:list", "preparation.prepare_orders"
                    ),
                ),
                order=30,
            )
        )
        worklist.register(my_tasks)  # open pick lists for warehouse staff
        panels.register(
            "orders.order", panels.Panel("preparation/order_panel.html", panel_context, order=30)
        )
