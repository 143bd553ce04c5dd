"""The review settings row, and the order permissions granted to their roles."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles


def create_settings(apps, schema_editor):
    apps.get_model("orders", "ReviewSettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
        ("pricing", "0003_sync_roles_prices_and_stock"),
    ]
    operations = [
        migrations.RunPython(create_settings, migrations.RunPython.noop),
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
    ]
