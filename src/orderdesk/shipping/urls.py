"""Pages of the shipping app."""

app_name = "shipping"

urlpatterns: list = []
