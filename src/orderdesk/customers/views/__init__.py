"""Customer pages: the list, the customer page with its tabs, forms, merge, import, export
and the credit settings. Each view parses input, fetches what the user may see through
``selectors``, calls one service and renders; the rules live in the services."""

from .detail import (
    add_contact,
    add_interaction,
    add_need,
    apply_credit_proposal,
    attachment,
    detail,
    edit_contact,
    evaluate_credit,
    mark_contact_left,
    set_credit,
    set_primary_contact,
)
from .listing import customer_list, export, import_customers
from .records import create, edit, merge
from .settings import credit_settings

__all__ = [
    "add_contact",
    "add_interaction",
    "add_need",
    "apply_credit_proposal",
    "attachment",
    "create",
    "credit_settings",
    "customer_list",
    "detail",
    "edit",
    "edit_contact",
    "evaluate_credit",
    "export",
    "import_customers",
    "mark_contact_left",
    "merge",
    "set_credit",
    "set_primary_contact",
]
