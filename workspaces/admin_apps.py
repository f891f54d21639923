"""App config that makes `django.contrib.admin.site` the workspace-scoped `CRMAdminSite`.

Kept apart from admin_site.py: app configs are imported before models are ready.
"""

from django.contrib.admin.apps import AdminConfig


class CRMAdminConfig(AdminConfig):
    """Used in INSTALLED_APPS instead of "django.contrib.admin"."""

    default_site = "workspaces.admin_site.CRMAdminSite"
