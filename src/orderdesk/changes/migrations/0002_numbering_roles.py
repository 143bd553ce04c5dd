"""The numbering rule of change requests (订单变更申请表编号, BG{yyyymmdd}{seq:3}, daily), and
the order-change permissions granted to their roles (sales and customer service request
changes; logistics approves the logistics part)."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles


def seed_numbering(apps, schema_editor):
    apps.get_model("core", "NumberingRule").objects.get_or_create(
        kind="change_request",
        defaults={"name": "订单变更编号", "pattern": "BG{yyyymmdd}{seq:3}", "reset": "daily"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_initial"),
        ("core", "0002_seed_company_and_numbering"),
        # The last migrations that call sync_roles: this one runs after them and grants all.
        ("billing", "0005_statement"),
        ("aftersales", "0002_numbering_roles"),
        ("preparation", "0002_numbering_roles"),
        ("production", "0002_numbering_roles"),
    ]
    operations = [
        migrations.RunPython(seed_numbering, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
