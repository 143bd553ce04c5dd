from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "orderdesk.pricing"
    label = "pricing"
    verbose_name = _("Pricing")

    def ready(self) -> None:
        from orderdesk.core import panels
        from orderdesk.core.navigation import Entry, Section, register

        from .selectors import MANAGE
        from .views.panels import TEMPLATE, product_prices_panel

        register(
            Section(
                _("Prices"),
                (
                    # No separate view permission: every member of staff reads prices (sales
                    # quote from them); writing needs pricing.manage_prices.
                    Entry(_("Price lists"), "pricing:list"),
                    Entry(_("Promotions"), "pricing:promotions"),
                    Entry(_("New price list"), "pricing:create", MANAGE),
                ),
                order=35,
            )
        )
        panels.register("catalog.product", panels.Panel(TEMPLATE, product_prices_panel, order=20))
