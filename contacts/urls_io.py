"""URLs of import, export, duplicates and merge (included by contacts/urls.py)."""

from django.urls import path

from . import views_dedupe, views_io

urlpatterns = [
    path("import/", views_io.import_start, name="import_start"),
    path("import/<int:pk>/mapping/", views_io.import_mapping, name="import_mapping"),
    path("import/<int:pk>/", views_io.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", views_io.import_progress, name="import_progress"),
    path("export/", views_io.export_contacts, name="export"),
    path("accounts/export/", views_io.export_accounts, name="account_export"),
    path("duplicates/", views_dedupe.duplicates, name="duplicates"),
    path("merge/<int:pk>/<int:other>/", views_dedupe.merge, name="merge"),
]
