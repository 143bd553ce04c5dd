from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "orderdesk.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from orderdesk.core.navigation import Entry, Section, register

        from .selectors import ALL, OWN, TEAM

        register(
            Section(
                _("Customers"),
                (
                    Entry(_("Customers"), "customers:list", (OWN, TEAM, ALL)),
                    Entry(_("Import"), "customers:import", "customers.import_customers"),
                    Entry(
                        _("Credit settings"), "customers:credit_settings", "customers.manage_credit"
                    ),
                ),
                order=20,
            )
        )
