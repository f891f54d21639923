from django.urls import path

from .views import areas, assets, campaigns, segments, senders, templates

app_name = "marketing"
urlpatterns = [
    path("", areas.overview, name="index"),
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
    path("campaigns/", campaigns.campaign_list_view, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create_view, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit_view, name="campaign_edit"),
    path("campaigns/<int:pk>/launch/", campaigns.campaign_launch_view, name="campaign_launch"),
    path("campaigns/<int:pk>/pause/", campaigns.campaign_pause_view, name="campaign_pause"),
    path("campaigns/<int:pk>/resume/", campaigns.campaign_resume_view, name="campaign_resume"),
    path("campaigns/<int:pk>/cancel/", campaigns.campaign_cancel_view, name="campaign_cancel"),
    *(
        path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key)
        for a in areas.AREAS
        if not a.built and a.key not in areas.BUILT
    ),
    path("templates/", templates.template_list_page, name="templates"),
    path("templates/new/", templates.template_new, name="template_new"),
    path("templates/<int:pk>/", templates.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", templates.template_remove, name="template_delete"),
    path("templates/<int:pk>/preview/", templates.template_preview, name="template_preview"),
    path("assets/", assets.asset_library, name="assets"),
    path("assets/<int:pk>/delete/", assets.asset_remove, name="asset_delete"),
    path("senders/", senders.sender_list_page, name="senders"),
    path("senders/new/", senders.sender_new, name="sender_new"),
    path("senders/<int:pk>/", senders.sender_edit, name="sender_edit"),
    path("senders/<int:pk>/delete/", senders.sender_remove, name="sender_delete"),
    path("senders/<int:pk>/check/", senders.sender_check, name="sender_check"),
    path("bounces/rotate/", senders.bounce_secret_rotate, name="bounce_rotate"),
    path("bounces/settings/", senders.bounce_settings_save, name="bounce_settings"),
]
