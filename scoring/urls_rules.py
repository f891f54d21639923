"""The rules pages of scoring (included by scoring/urls.py under the app's namespace)."""

from django.urls import path

from .views import rules

urlpatterns: list = [
    path("rules/", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_create_view, name="rule_new"),
    path("rules/preview/", rules.rule_preview, name="rule_preview"),
    path("rules/<int:pk>/", rules.rule_edit_view, name="rule_edit"),
    path("settings/", rules.settings_view, name="settings"),
]
