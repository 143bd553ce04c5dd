"""Pages of the production app."""

app_name = "production"

urlpatterns: list = []
