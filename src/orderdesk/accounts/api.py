"""REST endpoints for accounts: who am I, and API tokens. Also the bearer-token auth."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import HttpBearer

from . import selectors, services
from .models import ApiToken
from .schemas import MeOut, RevokeIn, TokenCreatedOut, TokenIn, TokenOut

router = Router(tags=["accounts"])


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.authenticate_token(token)
        if user is not None:
            request.user = user
        return user


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "username": token.user.username,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/me", response=MeOut, summary="The signed-in user, with roles")
def me(request: HttpRequest) -> dict[str, Any]:
    user: Any = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.get_full_name(),
        "department": user.department.name if user.department else None,
        "branch": user.branch.code if user.branch else None,
        "supervisor": user.supervisor.username if user.supervisor else None,
        "roles": selectors.role_names(user),
    }


@router.get("/tokens", response=list[TokenOut], summary="API tokens you may see")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [token_out(token) for token in selectors.tokens_visible_to(request.user)]


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create a token for yourself")
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    user: Any = request.user
    token, raw = services.create_api_token(user, by=user, name=payload.name)
    return Status(201, {**token_out(token), "token": raw})


@router.post("/tokens/{token_id}/revoke", response=TokenOut, summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: int, payload: RevokeIn) -> dict[str, Any]:
    token = selectors.token_for(request.user, token_id)
    return token_out(services.revoke_api_token(token, by=request.user, reason=payload.reason))
