"""Signals other apps listen to. Lower apps cannot import the higher ones that own related
rows (orders, invoices), so a merge announces itself and each of them moves its own rows."""

from django.dispatch import Signal

# Sent inside the merge transaction with survivor=Customer, merged=Customer, by=User.
# Receivers move their rows from ``merged`` to ``survivor`` and must not swallow errors.
customer_merged = Signal()
