"""/api/v1/pick-lists."""

from ninja import Router

router = Router(tags=["preparation"])
