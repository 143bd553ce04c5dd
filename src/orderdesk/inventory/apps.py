from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "orderdesk.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from orderdesk.core import navigation, panels

        from .services.stock import MANAGE
        from .views import product_panel

        navigation.register(
            navigation.Section(
                _("Stock"),
                (
                    # Every member of staff reads stock (sales quote from availability).
                    navigation.Entry(_("Stock"), "inventory:overview"),
                    navigation.Entry(_("Low stock"), "inventory:low"),
                    navigation.Entry(_("Warehouses"), "inventory:warehouses"),
                    navigation.Entry(_("Receive stock"), "inventory:receive", MANAGE),
                    navigation.Entry(_("Adjust stock"), "inventory:adjust", MANAGE),
                ),
                order=35,
            )
        )
        # The product page (catalog) shows stock by warehouse; catalog may not import us.
        panels.register(
            "catalog.product",
            panels.Panel("inventory/partials/_product_stock.html", product_panel, order=10),
        )
