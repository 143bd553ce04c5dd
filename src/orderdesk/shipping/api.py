"""/api/v1/shipments and /api/v1/orders/{id}/fulfilment."""

from ninja import Router

router = Router(tags=["shipping"])
order_fulfilment_router = Router(tags=["shipping"])
