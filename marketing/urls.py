from django.urls import path

from .views import areas

app_name = "marketing"
urlpatterns = [
    path("", areas.overview, name="index"),
    *(path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key) for a in areas.AREAS),
]
