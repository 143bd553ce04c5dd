from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tasks/", views.my_tasks, name="my_tasks"),
    path("audit/", views.audit_log, name="audit_log"),
    path("settings/company/", views.company, name="company"),
    path("settings/branches/", views.branches, name="branches"),
    path("settings/branches/<int:branch_id>/", views.branch_edit, name="branch_edit"),
    path("settings/numbering/", views.numbering, name="numbering"),
    path("settings/numbering/<int:rule_id>/", views.numbering_edit, name="numbering_edit"),
    path("settings/calendar/", views.calendar, name="calendar"),
]
