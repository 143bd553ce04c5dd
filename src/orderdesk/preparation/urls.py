"""Pages of the preparation app."""

app_name = "preparation"

urlpatterns: list = []
