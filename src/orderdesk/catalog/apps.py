from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "orderdesk.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from orderdesk.core.navigation import Entry, Section, register

        from .selectors import MANAGE

        register(
            Section(
                _("Products"),
                (
                    # Every member of staff sees the catalog (see selectors.is_staff_member).
                    Entry(_("Products"), "catalog:list"),
                    Entry(_("New product"), "catalog:create", MANAGE),
                    Entry(_("Categories"), "catalog:categories"),
                ),
                order=30,
            )
        )
