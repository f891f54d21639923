from django.urls import path

from .views import (
    accounts,
    bulk_jobs,
    contacts,
    custom_fields,
    duplicates as duplicate_views,
    erasure as erasure_views,
    exports as export_views,
    imports as imports_views,
    pickers,
    privacy as privacy_views,
)

# Mounted under /w/<slug:ws>/contacts/ by crm_site/urls.py.
app_name = "contacts"
urlpatterns = [
    path("", contacts.contact_list_view, name="list"),
    path("new/", contacts.contact_create_view, name="create"),
    path("bulk/", contacts.contact_bulk, name="bulk"),
    path("bulk/deletes/<int:pk>/", bulk_jobs.bulk_delete_detail, name="bulk_delete_detail"),
    path(
        "bulk/deletes/<int:pk>/progress/",
        bulk_jobs.bulk_delete_progress,
        name="bulk_delete_progress",
    ),
    path("lookup/", contacts.lookup, name="lookup"),
    path("suggest-account/", contacts.account_suggest, name="account_suggest"),
    path("account-options/", contacts.account_options, name="account_options"),
    path("pick/", pickers.contact_pick, name="contact_pick"),
    path("accounts/pick/", pickers.account_pick, name="account_pick"),
    path("<int:pk>/", contacts.contact_detail, name="detail"),
    path("<int:pk>/edit/", contacts.contact_edit, name="edit"),
    path("<int:pk>/delete/", contacts.contact_delete_view, name="delete"),
    path("accounts/", accounts.account_list_view, name="account_list"),
    path("accounts/new/", accounts.account_create_view, name="account_create"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", accounts.account_edit, name="account_edit"),
    path("accounts/<int:pk>/delete/", accounts.account_delete_view, name="account_delete"),
    path("settings/fields/", custom_fields.custom_fields, name="custom_fields"),
    path(
        "settings/fields/<int:pk>/edit/", custom_fields.custom_field_edit, name="custom_field_edit"
    ),
    path(
        "settings/fields/<int:pk>/delete/",
        custom_fields.custom_field_delete_view,
        name="custom_field_delete",
    ),
    # import, export, duplicates and merge
    path("import/", imports_views.import_start, name="import_start"),
    path("import/<int:pk>/mapping/", imports_views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/", imports_views.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", imports_views.import_progress, name="import_progress"),
    path("import/<int:pk>/undo/", imports_views.import_undo, name="import_undo"),
    path("export/", export_views.export_contacts, name="export"),
    path("export/excel/", export_views.export_contacts_excel, name="export_excel"),
    path("accounts/export/", export_views.export_accounts, name="account_export"),
    path("accounts/export/excel/", export_views.export_accounts_excel, name="account_export_excel"),
    path("exports/<int:pk>/", export_views.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", export_views.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", export_views.export_download, name="export_download"),
    path("duplicates/", duplicate_views.duplicates, name="duplicates"),
    path("merge/<int:pk>/<int:other>/", duplicate_views.merge, name="merge"),
    path("merge-with/", duplicate_views.merge_with, name="merge_with"),
    path("erase/", erasure_views.contact_erase_view, name="erase"),
    path("data-export/", privacy_views.contact_data_export_view, name="data_export"),
    path("privacy/requests/", privacy_views.privacy_requests_view, name="privacy_requests"),
    path("privacy/retention/", privacy_views.retention_view, name="retention"),
]
