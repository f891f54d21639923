from django.urls import path

from .views import accounts, contacts, custom_fields, duplicates, imports

# Mounted under /w/<slug:ws>/contacts/ by crm_site/urls.py.
app_name = "contacts"
urlpatterns = [
    path("", contacts.contact_list_view, name="list"),
    path("new/", contacts.contact_create_view, name="create"),
    path("bulk/", contacts.contact_bulk, name="bulk"),
    path("lookup/", contacts.lookup, name="lookup"),
    path("suggest-account/", contacts.account_suggest, name="account_suggest"),
    path("account-options/", contacts.account_options, name="account_options"),
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
    path("import/", imports.import_start, name="import_start"),
    path("import/<int:pk>/mapping/", imports.import_mapping, name="import_mapping"),
    path("import/<int:pk>/", imports.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("export/", imports.export_contacts, name="export"),
    path("export/excel/", imports.export_contacts_excel, name="export_excel"),
    path("accounts/export/", imports.export_accounts, name="account_export"),
    path("accounts/export/excel/", imports.export_accounts_excel, name="account_export_excel"),
    path("exports/<int:pk>/", imports.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", imports.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", imports.export_download, name="export_download"),
    path("duplicates/", duplicates.duplicates, name="duplicates"),
    path("merge/<int:pk>/<int:other>/", duplicates.merge, name="merge"),
]
