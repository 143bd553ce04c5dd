"""Pages of order changes (/changes/)."""

from .views import pages

app_name = "changes"

urlpatterns = [*pages.urlpatterns]
