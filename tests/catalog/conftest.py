"""Users of the roles that matter to the catalog."""

from __future__ import annotations

import pytest


@pytest.fixture
def production1(make_user):
    return make_user("production1", "production")


@pytest.fixture
def manager1(make_user):
    return make_user("manager1", "sales_manager")


@pytest.fixture
def warehouse1(make_user):
    return make_user("warehouse1", "warehouse")


@pytest.fixture
def portal1(make_user):
    return make_user("portal1", "customer")
