"""The numbering rule of pick lists (拣货单编号), and the preparation permission granted to
its roles."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles


def seed_numbering(apps, schema_editor):
    apps.get_model("core", "NumberingRule").objects.get_or_create(
        kind="pick_list",
        defaults={"name": "拣货单编号", "pattern": "JH{yyyymmdd}{seq:3}", "reset": "daily"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("preparation", "0001_initial"),
        ("orders", "0004_deposit_and_confirmation"),
    ]
    operations = [
        migrations.RunPython(seed_numbering, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
