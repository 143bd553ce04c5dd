"""The company profile row and the seed numbering rules (customer code, order number)."""

from django.db import migrations

RULES = [
    # kind, name, pattern, reset. Seed rules: customer code = company abbreviation + year +
    # 4-digit serial; order number = store code-yyyymmdd-daily serial (GD001-20120102-03).
    ("customer", "客户编号", "{company}{yyyy}{seq:4}", "yearly"),
    ("order", "订单编号", "{branch}-{yyyymmdd}-{seq:2}", "daily"),
]


def seed(apps, schema_editor):
    company = apps.get_model("core", "CompanyProfile")
    company.objects.get_or_create(pk=1, defaults={"name": "我的公司", "abbreviation": "OD"})
    rule = apps.get_model("core", "NumberingRule")
    for kind, name, pattern, reset in RULES:
        rule.objects.get_or_create(kind=kind, defaults={"name": name, "pattern": pattern,
                                                        "reset": reset})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
