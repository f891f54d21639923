from django.urls import path

from .views import areas, assets, campaigns, segments, senders, templates

app_name = "marketing"
urlpatterns = [
    path("", areas.overview, name="index"),
from .views import areas, assets, campaigns, segments, senders, templates
]
