"""Shared fixtures: one user per role, built through the real groups the migrations made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Group

from orderdesk.accounts.models import User


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str, *roles: str, **fields: Any) -> User:
        user = User.objects.create_user(username=username, password="Pa55word-for-tests", **fields)
        user.groups.set(Group.objects.filter(name__in=roles))
        return User.objects.get(pk=user.pk)  # fresh instance: no cached permissions

    return make


@pytest.fixture
def admin1(make_user: Callable[..., User]) -> User:
    return make_user("admin1", "administrator")


@pytest.fixture
def sales1(make_user: Callable[..., User]) -> User:
    return make_user("sales1", "sales")


@pytest.fixture
def finance1(make_user: Callable[..., User]) -> User:
    return make_user("finance1", "finance")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """PostgreSQL-only tests are skipped, visibly, when the suite runs on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test runs it there too)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
