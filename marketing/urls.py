from django.urls import path

from .views import areas, health, reports, segments

app_name = "marketing"
urlpatterns = [
    path("", areas.overview, name="index"),
    path("campaigns/", reports.campaign_list, name="campaigns"),
    path("campaigns/<int:pk>/report/", reports.campaign_report, name="campaign_report"),
    path("health/", health.health, name="health"),
    path("segments/", segments.segment_list_view, name="segments"),
    path("segments/new/", segments.segment_create_view, name="segment_create"),
    path("segments/preview/", segments.segment_preview, name="segment_preview"),
    path("segments/<int:pk>/", segments.segment_detail, name="segment_detail"),
    path("segments/<int:pk>/edit/", segments.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/build/", segments.segment_build_view, name="segment_build"),
    path("segments/<int:pk>/delete/", segments.segment_delete_view, name="segment_delete"),
    path("segments/<int:pk>/members/add/", segments.segment_member_add, name="segment_member_add"),
    path(
        "segments/<int:pk>/members/remove/",
        segments.segment_member_remove,
        name="segment_member_remove",
    ),
    path("segments/<int:pk>/snapshot/", segments.segment_snapshot, name="segment_snapshot"),
    path("segments/<int:pk>/import/", segments.segment_import, name="segment_import"),
    *(
        path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key)
        for a in areas.AREAS
        if a.key not in areas.BUILT
    ),
]
