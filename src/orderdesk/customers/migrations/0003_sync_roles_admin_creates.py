"""Administrators may create customers (needed to import them)."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_seed_terms_policy_roles")]
    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
