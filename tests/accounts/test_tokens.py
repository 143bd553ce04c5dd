import pytest

from orderdesk.accounts import selectors, services
from orderdesk.accounts.models import ApiToken
from orderdesk.core.errors import Conflict, NotAllowed
from orderdesk.core.models import AuditEntry


def test_token_is_stored_hashed_and_authenticates(sales1):
    token, raw = services.create_api_token(sales1, by=sales1, name="ERP sync")

    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.digest, stored.prefix)
    assert stored.digest == services.token_digest(raw)
    assert services.authenticate_token(raw) == sales1
    assert AuditEntry.objects.filter(action="create_api_token", object_id=str(token.pk)).exists()


def test_revoked_token_stops_working(sales1):
    token, raw = services.create_api_token(sales1, by=sales1)

    services.revoke_api_token(token, by=sales1, reason="laptop lost")

    assert services.authenticate_token(raw) is None
    entry = AuditEntry.objects.get(action="revoke_api_token")
    assert entry.reason == "laptop lost"
    with pytest.raises(Conflict):
        services.revoke_api_token(token, by=sales1)


def test_tokens_of_inactive_users_stop_working(sales1):
    _token, raw = services.create_api_token(sales1, by=sales1)

    sales1.is_active = False
    sales1.save()

    assert services.authenticate_token(raw) is None


def test_only_token_managers_issue_tokens_for_others(sales1, finance1, admin1):
    with pytest.raises(NotAllowed):
        services.create_api_token(finance1, by=sales1)

    token, _raw = services.create_api_token(finance1, by=admin1)

    assert token.user == finance1
    assert list(selectors.tokens_visible_to(sales1)) == []
    assert list(selectors.tokens_visible_to(admin1)) == [token]


def test_garbage_tokens_do_not_authenticate(db):
    assert services.authenticate_token("od_not-a-real-token") is None
    assert services.authenticate_token("Bearer something") is None
