"""Production/technical, sales managers and administrators may manage products."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("customers", "0003_sync_roles_admin_creates"),
    ]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
