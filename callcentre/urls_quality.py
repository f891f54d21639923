"""The quality pages of callcentre (included by callcentre/urls.py under the app's namespace)."""

from django.urls import path

from .views import quality

urlpatterns: list = [
    path("quality/", quality.quality, name="quality"),
    path("quality/agents/<int:pk>/", quality.agent_quality, name="agent_quality"),
    path("quality/evaluations/<int:pk>/", quality.evaluation_detail, name="evaluation_detail"),
    path(
        "quality/evaluations/<int:pk>/delete/",
        quality.evaluation_delete,
        name="evaluation_delete",
    ),
    path("quality/calls/<int:pk>/", quality.call_quality, name="call_quality"),
    path("quality/calls/<int:pk>/evaluate/", quality.evaluate_call, name="evaluate_call"),
    path("quality/cases/<int:pk>/", quality.case_quality, name="case_quality"),
    path("quality/cases/<int:pk>/evaluate/", quality.evaluate_case, name="evaluate_case"),
    path("quality/cases/find/", quality.case_by_number, name="quality_case_find"),
    path("quality/scorecards/", quality.scorecards, name="scorecards"),
    path("quality/scorecards/<int:pk>/", quality.scorecard_detail, name="scorecard_detail"),
    path("quality/criteria/<int:pk>/", quality.criterion_edit, name="criterion_edit"),
]
