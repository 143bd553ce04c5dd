import pytest
from django.db import transaction

from orderdesk.core import audit
from orderdesk.core.models import AuditEntry, Branch


def make_branch() -> Branch:
    return Branch.objects.create(code="GD001", name="广州天河店", province="广东")


def test_record_stores_actor_changes_and_reason(admin1):
    branch = make_branch()

    with transaction.atomic():
        entry = audit.record(
            branch,
            "update_branch",
            by=admin1,
            changes={"name": ("旧名", "广州天河店")},
            reason="门店改名",
        )

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == admin1
    assert stored.actor_name == "admin1"
    assert stored.object_id == str(branch.pk)
    assert stored.changes == {"name": ["旧名", "广州天河店"]}
    assert stored.reason == "门店改名"
    assert list(audit.entries_for(branch)) == [stored]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_record_refuses_to_run_outside_a_transaction():
    branch = make_branch()

    with pytest.raises(RuntimeError):
        audit.record(branch, "touch", by=None)

    assert AuditEntry.objects.count() == 0


def test_entries_cannot_be_edited_or_deleted(admin1):
    branch = make_branch()
    with transaction.atomic():
        entry = audit.record(branch, "create_branch", by=admin1)

    entry.reason = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_system_actions_are_attributed_to_the_system(db):
    branch = make_branch()

    with transaction.atomic():
        entry = audit.record(branch, "nightly_job", by=None)

    assert entry.actor is None
    assert entry.actor_name == "system"


def test_diff_keeps_only_changed_fields():
    before = {"name": "A", "city": "广州", "active": True}
    after = {"name": "B", "city": "广州", "active": False}

    assert audit.diff(before, after) == {"name": ("A", "B"), "active": (True, False)}


def test_admin_shows_audit_entries_read_only(client, admin1, django_user_model):
    branch = make_branch()
    with transaction.atomic():
        entry = audit.record(branch, "create_branch", by=admin1)
    superuser = django_user_model.objects.create_superuser("root", password="x-Pa55word-1")
    client.force_login(superuser)

    listing = client.get("/admin/core/auditentry/")
    change = client.post(f"/admin/core/auditentry/{entry.pk}/change/", {"reason": "tampered"})
    delete = client.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert change.status_code == 403
    assert delete.status_code == 403
    assert client.get("/admin/core/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""
