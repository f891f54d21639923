"""URLs of import, export, duplicates and merge (included by contacts/urls.py)."""

from django.urls import path

from . import views_dedupe, views_io

urlpatterns = [
    path("import/", views_io.import_start, name="import_start"),
    path("import/<int:pk>/mapping/", views_io.import_mapping, name="import_mapping"),
    path("import/<int:pk>/", views_io.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", views_io.import_progress, name="import_progress"),
    path("export/", views_io.export_contacts, name="export"),
    path("export/excel/", views_io.export_contacts_excel, name="export_excel"),
    path("accounts/export/", views_io.export_accounts, name="account_export"),
    path("accounts/export/excel/", views_io.export_accounts_excel, name="account_export_excel"),
    path("exports/<int:pk>/", views_io.export_detail, name="export_detail"),
    path("exports/<int:pk>/progress/", views_io.export_progress, name="export_progress"),
    path("exports/<int:pk>/download/", views_io.export_download, name="export_download"),
    path("duplicates/", views_dedupe.duplicates, name="duplicates"),
    path("merge/<int:pk>/<int:other>/", views_dedupe.merge, name="merge"),
]
