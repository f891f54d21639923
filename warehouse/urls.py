"""The warehouse pages under /w/<slug>/warehouse/."""

app_name = "warehouse"
urlpatterns: list = []
