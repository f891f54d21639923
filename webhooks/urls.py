"""The webhooks pages under /w/<slug>/webhooks/."""

app_name = "webhooks"
urlpatterns: list = []
