"""Grade terms and the credit policy (company settings with seed defaults), and the
customer permissions of each role."""

from decimal import Decimal

from django.db import migrations

from orderdesk.accounts.roles import sync_roles

# Seed 000 §二(二) / MISSION §1: A monthly settlement 30 days; B deposit before production;
# C full prepayment.
TERMS = [
    ("A", "月结30天", 30, Decimal("0"), Decimal("500000")),
    ("B", "生产前预付30%定金，发货前付清余款", 0, Decimal("30"), Decimal("100000")),
    ("C", "款到发货（全额预付）", 0, Decimal("100"), Decimal("0")),
]


def seed(apps, schema_editor):
    terms = apps.get_model("customers", "GradeTerms")
    for grade, text, days, deposit, limit in TERMS:
        terms.objects.get_or_create(grade=grade, defaults={
            "payment_terms": text, "settlement_days": days, "deposit_percent": deposit,
            "default_credit_limit": limit})
    apps.get_model("customers", "CreditPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("accounts", "0003_roles_and_system_user"),
        ("core", "0003_accesslog"),
    ]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
