"""Writes for customers, one public function per use case (see the modules)."""

from ..exporting import export_customers
from .contacts import add_contact, mark_contact_left, set_primary_contact, update_contact
from .credit import (
    apply_credit_proposal,
    evaluate_all_credit,
    evaluate_credit,
    set_credit,
    update_credit_policy,
    update_grade_terms,
)
from .importing import import_customers
from .merge import merge_customers
from .notes import record_interaction, record_need
from .records import add_address, create_customer, remove_address, update_customer

__all__ = [
    "add_address",
    "add_contact",
    "apply_credit_proposal",
    "create_customer",
    "evaluate_all_credit",
    "evaluate_credit",
    "export_customers",
    "import_customers",
    "mark_contact_left",
    "merge_customers",
    "record_interaction",
    "record_need",
    "remove_address",
    "set_credit",
    "set_primary_contact",
    "update_contact",
    "update_credit_policy",
    "update_customer",
    "update_grade_terms",
]
