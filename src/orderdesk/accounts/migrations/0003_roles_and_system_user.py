"""Departments, role groups with their permissions, and the system account for jobs."""

from django.db import migrations

from orderdesk.accounts.roles import sync_roles


def create_system_user(apps, schema_editor):
    user = apps.get_model("accounts", "User")
    if not user.objects.filter(username="system").exists():
        # "!" is Django's unusable-password marker: this account can never log in.
        user.objects.create(username="system", display_name="系统", is_active=False,
                            password="!system-account")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial"), ("core", "0002_seed_company_and_numbering")]
    operations = [
        migrations.RunPython(sync_roles, migrations.RunPython.noop),
        migrations.RunPython(create_system_user, migrations.RunPython.noop),
    ]
