from django.urls import path

from . import audit_views, settings_views, views

# Mounted under /w/<slug:ws>/ by crm_site/urls.py.
urlpatterns = [
    path("", views.home, name="workspace_home"),
    path("search/", views.search, name="search"),
    path("settings/", settings_views.workspace_settings, name="workspace_settings"),
    path("settings/legal/", settings_views.workspace_legal, name="workspace_legal"),
    path("settings/members/", settings_views.members, name="members"),
    path("settings/audit/", audit_views.audit_log, name="audit_log"),
    path("settings/audit/export/", audit_views.audit_log_export, name="audit_log_export"),
    path("settings/members/invite/", settings_views.invitation_new, name="invitation_new"),
    path("settings/members/<int:pk>/role/", settings_views.member_role, name="member_role"),
    path("settings/members/<int:pk>/remove/", settings_views.member_remove, name="member_remove"),
    path(
        "settings/invitations/<int:pk>/revoke/",
        settings_views.invitation_revoke_view,
        name="invitation_revoke",
    ),
]
