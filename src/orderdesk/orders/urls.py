"""Order pages. Each views module lists its own routes (one owner per module)."""

from .views import confirmation, detail, entry, listing, review, settings

app_name = "orders"

urlpatterns = [
    *listing.urlpatterns,
    *entry.urlpatterns,
    *detail.urlpatterns,
    *review.urlpatterns,
    *confirmation.urlpatterns,
    *settings.urlpatterns,
]
