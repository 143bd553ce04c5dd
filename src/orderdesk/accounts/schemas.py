"""API input and output shapes for accounts."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    department: str | None
    branch: str | None
    supervisor: str | None
    roles: list[str]


class TokenIn(Schema):
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    id: int
    username: str
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class RevokeIn(Schema):
    reason: str = Field("", max_length=500)
