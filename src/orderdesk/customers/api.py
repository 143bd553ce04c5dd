"""REST endpoints for customers (being written)."""

from ninja import Router

router = Router(tags=["customers"])
