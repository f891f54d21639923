from django.urls import include, path

from .views import areas

app_name = "service"
urlpatterns = [
    path("", areas.overview, name="index"),
    path("mail/", include("service.mail_urls")),  # email to case
    *(path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key) for a in areas.AREAS),
]
