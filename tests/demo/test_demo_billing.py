"""The demo's invoices and payments fill the aging report (issue 7)."""

from __future__ import annotations

import io
from decimal import Decimal

from orderdesk.billing import selectors
from orderdesk.billing.models import DepositRequest, Invoice, Payment
from orderdesk.demo.loader import load_demo

BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "over_90")


def test_invoices_and_payments_give_the_aging_report_real_figures(db):
    out = io.StringIO()
    result = load_demo(customers=40, products=80, stdout=out)

    assert result.fulfilment["invoices"] == Invoice.objects.count() > 0
    # besides the billing step's payments, deposits and balances paid before release/shipment
    assert 0 < result.fulfilment["payments"] < Payment.objects.count()
    assert DepositRequest.objects.filter(allocated_amount__gt=0).exists()
    totals = selectors.aging()["total"]
    assert totals["total"] > 0
    assert sum(totals[name] > 0 for name in BUCKETS) >= 3
    credit = [selectors.unallocated_credit(payment.customer) for payment in Payment.objects.all()]
    assert any(amount > Decimal(0) for amount in credit)
    assert "Billing:" in out.getvalue() or "开票" in out.getvalue()

    again = load_demo(customers=40, products=80)
    assert again.fulfilment.get("invoices", 0) == 0
