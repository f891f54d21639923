"""The kpis pages of callcentre (included by callcentre/urls.py under the app's namespace)."""

from django.urls import path

from .views import kpis, wallboard

urlpatterns: list = [
    path("kpis/", kpis.kpis, name="kpis"),
    path("wallboard/", wallboard.wallboard, name="wallboard"),
    path("wallboard/board/", wallboard.wallboard_fragment, name="wallboard_board"),
    path("targets/", kpis.target_list, name="targets"),
    path("targets/<int:queue_id>/", kpis.target_edit, name="target_edit"),
]
