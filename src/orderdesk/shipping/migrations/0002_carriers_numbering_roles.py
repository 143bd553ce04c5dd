"""The carriers, the shipping settings row, the shipment numbering rule (发货单编号) and the
shipping permissions granted to their roles."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles
from orderdesk.shipping.tracking import CARRIERS


def seed(apps, schema_editor):
    carrier = apps.get_model("shipping", "Carrier")
    for sort, seed_row in enumerate(CARRIERS):
        carrier.objects.get_or_create(
            code=seed_row.code,
            defaults={
                "name": seed_row.name,
                "transit_working_days": seed_row.transit_working_days,
                "tracking_pattern": seed_row.pattern,
                "tracking_example": seed_row.example,
                "sort": sort,
            },
        )
    apps.get_model("shipping", "ShippingSettings").objects.get_or_create(pk=1)
    apps.get_model("core", "NumberingRule").objects.get_or_create(
        kind="shipment",
        defaults={"name": "发货单编号", "pattern": "FH{yyyymmdd}{seq:3}", "reset": "daily"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("shipping", "0001_initial"),
        ("orders", "0004_deposit_and_confirmation"),
        ("core", "0002_seed_company_and_numbering"),
    ]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
