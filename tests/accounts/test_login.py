import pytest
from django.test import Client

from orderdesk.accounts.models import User

PASSWORD = "Pa55word-for-tests"


def test_login_page_signs_in_and_lands_on_the_dashboard(sales1):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value

    response = client.post(
        "/accounts/login/",
        {"username": "sales1", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_login_form_without_csrf_token_is_refused(sales1):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "sales1", "password": PASSWORD})

    assert response.status_code == 403


def test_wrong_password_shows_an_error(client, sales1):
    response = client.post("/accounts/login/", {"username": "sales1", "password": "wrong"})

    assert response.status_code == 200
    assert response.context["form"].errors


def test_repeated_failures_lock_the_account_for_that_address(client, sales1, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "sales1", "password": "wrong"})

    locked = client.post("/accounts/login/", {"username": "sales1", "password": PASSWORD})

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client, sales1):
    client.force_login(sales1)

    refused = client.get("/accounts/logout/")
    response = client.post("/accounts/logout/")

    assert refused.status_code == 405
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/", "/tasks/", "/audit/", "/settings/company/"])
def test_pages_redirect_anonymous_users_to_login(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_weak_passwords_are_refused_by_the_validators(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678", user=User(username="x"))
