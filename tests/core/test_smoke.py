from orderdesk.core.models import CompanyProfile, NumberingRule


def test_migrations_seed_company_and_rules(db):
    assert CompanyProfile.objects.get(pk=1).abbreviation == "OD"
    assert set(NumberingRule.objects.values_list("kind", flat=True)) >= {"customer", "order"}
