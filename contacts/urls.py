from django.urls import path

from . import views, views_accounts, views_settings

# Mounted under /w/<slug:ws>/contacts/ by crm_site/urls.py.
app_name = "contacts"
urlpatterns = [
    path("", views.contact_list_view, name="list"),
    path("new/", views.contact_create_view, name="create"),
    path("bulk/", views.contact_bulk, name="bulk"),
    path("lookup/", views.lookup, name="lookup"),
    path("suggest-account/", views.account_suggest, name="account_suggest"),
    path("account-options/", views.account_options, name="account_options"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/delete/", views.contact_delete_view, name="delete"),
    path("accounts/", views_accounts.account_list_view, name="account_list"),
    path("accounts/new/", views_accounts.account_create_view, name="account_create"),
    path("accounts/<int:pk>/", views_accounts.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views_accounts.account_edit, name="account_edit"),
    path("accounts/<int:pk>/delete/", views_accounts.account_delete_view, name="account_delete"),
    path("settings/fields/", views_settings.custom_fields, name="custom_fields"),
    path(
        "settings/fields/<int:pk>/edit/", views_settings.custom_field_edit, name="custom_field_edit"
    ),
    path(
        "settings/fields/<int:pk>/delete/",
        views_settings.custom_field_delete_view,
        name="custom_field_delete",
    ),
]

# Import, export, duplicates and merge (contacts/urls_io.py).
from .urls_io import urlpatterns as io_urlpatterns  # noqa: E402

urlpatterns += io_urlpatterns
