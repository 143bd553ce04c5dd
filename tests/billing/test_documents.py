"""The invoice PDF: seller and buyer, lines, totals and the amount in words, in Chinese."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from orderdesk.billing import services
from orderdesk.billing.documents import invoice_pdf
from orderdesk.core.models import CompanyProfile
from orderdesk.core.money import capital
from tests.factories.orders import make_released_order, make_world

from .helpers import invoice_per, issued, with_tax_data

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_shows_number_buyer_seller_and_total_in_words():
    world = make_world()
    invoice_per("order")
    order = make_released_order(world)
    with_tax_data(order.customer)
    CompanyProfile.objects.update_or_create(
        pk=1, defaults={"name": "杭州示例贸易有限公司", "tax_number": "91330100MA2B000000"}
    )
    invoice = issued(order, world.finance, kind="special")
    text = text_of(invoice_pdf(invoice))
    assert invoice.number in text
    assert "杭州测试机械有限公司" in text
    assert "91330106000000001X" in text
    assert "杭州示例贸易有限公司" in text
    assert capital(invoice.gross_amount) in text
    for line in invoice.lines.all():
        assert line.sku in text


def test_a_draft_pdf_says_so():
    world = make_world()
    invoice_per("order")
    order = make_released_order(world)
    invoice = services.create_invoice(order, "ordinary", by=world.finance)
    pdf = invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")
    assert invoice.number in text_of(pdf)
