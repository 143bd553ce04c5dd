"""Pages of the aftersales app."""

app_name = "aftersales"

urlpatterns: list = []
