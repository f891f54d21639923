"""The builder pages of journeys (included by journeys/urls.py under the app's namespace)."""

from django.urls import path

from .views import builder, conditions, pages

urlpatterns: list = [
    path("list/", pages.journey_list_view, name="list"),
    path("new/", pages.journey_new_view, name="new"),
    path("build/", builder.journey_create_view, name="create"),
    path("conditions/preview/", conditions.conditions_preview, name="conditions_preview"),
    path("<int:pk>/", pages.journey_detail, name="detail"),
    path("<int:pk>/edit/", builder.journey_edit_view, name="edit"),
    path("<int:pk>/publish/", pages.journey_publish_view, name="publish"),
    path("<int:pk>/pause/", pages.journey_pause_view, name="pause"),
    path("<int:pk>/resume/", pages.journey_resume_view, name="resume"),
]
