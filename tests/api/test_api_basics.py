from django.test import Client

from orderdesk.accounts import services
from tests.factories.accounts import bearer


def test_openapi_schema_is_published(client, db):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert "/api/v1/me" in response.json()["paths"]


def test_api_docs_use_local_assets_only(client, sales1):
    client.force_login(sales1)

    page = client.get("/api/v1/docs").content.decode()

    assert "swagger" in page.lower()
    for host in ("cdn.", "unpkg", "jsdelivr"):
        assert host not in page


def test_me_with_bearer_token(client, sales1):
    response = client.get("/api/v1/me", headers=bearer(sales1))

    assert response.status_code == 200
    assert response.json()["username"] == "sales1"
    assert response.json()["roles"] == ["sales"]


def test_me_with_session(client, sales1):
    client.force_login(sales1)

    assert client.get("/api/v1/me").json()["username"] == "sales1"


def test_missing_or_bad_credentials_get_401_with_error_body(client, db):
    anonymous = client.get("/api/v1/me")
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer od_nope"})

    for response in (anonymous, bad):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_session_writes_need_the_csrf_token(sales1):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sales1)

    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")

    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_create_and_revoke_token_over_the_api(client, sales1):
    headers = bearer(sales1)

    created = client.post(
        "/api/v1/tokens",
        {"name": "nightly export"},
        content_type="application/json",
        headers=headers,
    )
    token_id = created.json()["id"]
    raw = created.json()["token"]
    revoked = client.post(
        f"/api/v1/tokens/{token_id}/revoke",
        {"reason": "rotated"},
        content_type="application/json",
        headers=headers,
    )

    assert created.status_code == 201
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_invalid_input_names_the_field(client, sales1):
    response = client.post(
        "/api/v1/tokens",
        {"name": "x" * 101},
        content_type="application/json",
        headers=bearer(sales1),
    )

    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "invalid_input"
    assert "name" in body["fields"]


def test_malformed_json_is_a_4xx_not_a_500(client, sales1):
    response = client.post(
        "/api/v1/tokens", "{not json", content_type="application/json", headers=bearer(sales1)
    )

    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_other_users_tokens_are_not_found(client, sales1, finance1):
    other, _raw = services.create_api_token(finance1, by=finance1)

    response = client.post(
        f"/api/v1/tokens/{other.pk}/revoke",
        {},
        content_type="application/json",
        headers=bearer(sales1),
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_audit_trail_needs_permission(client, sales1, admin1):
    services.create_api_token(admin1, by=admin1, name="for audit")

    refused = client.get("/api/v1/audit", headers=bearer(sales1))
    allowed = client.get("/api/v1/audit?action=create_api_token", headers=bearer(admin1))

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "not_allowed"
    assert allowed.status_code == 200
    assert {entry["action"] for entry in allowed.json()} == {"create_api_token"}


def test_unknown_api_path_is_json_404(client, sales1):
    response = client.get("/api/v1/nothing-here", headers=bearer(sales1))

    assert response.status_code == 404
