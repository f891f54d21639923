from django.urls import path

from .views import areas, health, reports

app_name = "marketing"
# area pages built for real; the others stay empty states until their features land
BUILT = {"campaigns"}
urlpatterns = [
    path("", areas.overview, name="index"),
    path("campaigns/", reports.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/report/", reports.campaign_report, name="campaign_report"),
    path("health/", health.health, name="health"),
    *(
        path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key)
        for a in areas.AREAS
        if a.key not in BUILT
    ),
]
