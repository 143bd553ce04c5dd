"""/api/v1/production-orders."""

from ninja import Router

router = Router(tags=["production"])
