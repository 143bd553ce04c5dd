"""Writes for customers, one public function per use case (see the modules)."""

from .contacts import add_contact, mark_contact_left, set_primary_contact, update_contact
from .credit import set_credit
from .merge import merge_customers
from .notes import record_interaction, record_need
from .records import add_address, create_customer, remove_address, update_customer

__all__ = [
    "add_address",
    "add_contact",
    "create_customer",
    "mark_contact_left",
    "merge_customers",
    "record_interaction",
    "record_need",
    "remove_address",
    "set_credit",
    "set_primary_contact",
    "update_contact",
    "update_customer",
]
