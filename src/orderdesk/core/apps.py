from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def analyze_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from .maintenance import refresh_statistics

    refresh_statistics()


class CoreConfig(AppConfig):
    name = "orderdesk.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import workcalendar
        from .models import CalendarDay, CompanyProfile

        for model in (CalendarDay, CompanyProfile):
            for signal in (post_save, post_delete):
                signal.connect(workcalendar.forget, sender=model, dispatch_uid=f"calendar-{model}")
        post_migrate.connect(
            analyze_after_migrate, sender=self, dispatch_uid="orderdesk.core.analyze"
        )
