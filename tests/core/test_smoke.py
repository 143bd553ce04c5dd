from orderdesk.config import settings as product_settings
from orderdesk.core.models import CompanyProfile, NumberingRule


def test_migrations_seed_company_and_rules(db):
    assert CompanyProfile.objects.get(pk=1).abbreviation == "OD"
    assert set(NumberingRule.objects.values_list("kind", flat=True)) >= {"customer", "order"}


def test_default_language_is_simplified_chinese():
    assert product_settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in product_settings.LANGUAGES] == ["zh-hans", "zh-hant", "en"]


def test_pages_follow_the_browser_language(client, sales1):
    client.force_login(sales1)

    chinese = client.get("/tasks/", headers={"accept-language": "zh-CN"}).content.decode()
    traditional = client.get("/tasks/", headers={"accept-language": "zh-TW"}).content.decode()
    english = client.get("/tasks/", headers={"accept-language": "en"}).content.decode()

    assert "我的待办" in chinese
    assert "我的待辦" in traditional
    assert "My tasks" in english
