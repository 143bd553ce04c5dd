"""The billing settings row, the numbering rules of invoices (发票), credit notes (红字发票)
and receipts (收款单), and the billing permissions granted to their roles."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles

RULES = (
    ("invoice", "发票编号", "FP{yyyymmdd}{seq:4}"),
    ("credit_note", "红字发票编号", "HC{yyyymmdd}{seq:3}"),
    ("payment", "收款单编号", "SK{yyyymmdd}{seq:4}"),
)


def seed(apps, schema_editor):
    apps.get_model("billing", "BillingSettings").objects.get_or_create(pk=1)
    rule = apps.get_model("core", "NumberingRule")
    for kind, name, pattern in RULES:
        rule.objects.get_or_create(
            kind=kind, defaults={"name": name, "pattern": pattern, "reset": "daily"}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("shipping", "0002_carriers_numbering_roles"),
    ]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
