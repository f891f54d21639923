from django.urls import path

from .views import areas, assets, senders, templates

app_name = "marketing"
urlpatterns = [
    path("", areas.overview, name="index"),
    *(
        path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key)
        for a in areas.AREAS
        if not a.built
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
