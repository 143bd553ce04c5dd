"""Pages of the aftersales app (/cases/)."""

from .views import pages

app_name = "aftersales"

urlpatterns = [*pages.urlpatterns]
