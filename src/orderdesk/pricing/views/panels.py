"""The prices panel on the product page (slot ``catalog.product``, registered by
``PricingConfig.ready``): the product's prices in the lists valid today."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from orderdesk.catalog.selectors import is_staff_member

from .. import selectors

TEMPLATE = "pricing/partials/_product_prices.html"


def product_prices_panel(request: HttpRequest, product: Any) -> Mapping[str, Any] | None:
    """Every member of staff sees prices (sales quote from them; there is no separate view
    permission); only ``pricing.manage_prices`` sees the floors. Hidden from portal accounts."""
    if not is_staff_member(request.user):
        return None
    today = timezone.localdate()
    return {
        "product": product,
        "lines": selectors.product_prices(product, today),
        "today": today,
        "show_floors": selectors.can_manage(request.user),
    }
