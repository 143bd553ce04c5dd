"""Pages of the preparation app (/preparation/)."""

from .views import pages

app_name = "preparation"

urlpatterns = [*pages.urlpatterns]
