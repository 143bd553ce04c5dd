"""Company setting: the discount each role may grant on its own (seed 003 价格执行方案):
sales up to 5 %, the sales manager up to 15 %, beyond that the general manager."""

from decimal import Decimal

from django.db import migrations

AUTHORITY = [("sales", Decimal("5")), ("sales_manager", Decimal("15")),
             ("general_manager", Decimal("100"))]


def seed(apps, schema_editor):
    table = apps.get_model("pricing", "DiscountAuthority")
    for role, percent in AUTHORITY:
        table.objects.get_or_create(role=role, defaults={"max_discount_percent": percent})


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
