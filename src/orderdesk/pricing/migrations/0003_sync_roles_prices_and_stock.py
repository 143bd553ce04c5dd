"""Grant the price and stock permissions to their roles (accounts/roles.py)."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0002_seed_discount_authority"),
        ("inventory", "0001_initial"),
        ("catalog", "0002_sync_roles_manage_products"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
