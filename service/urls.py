from django.urls import path

from .views import areas, knowledge, quality

app_name = "service"
urlpatterns = [
    path("", areas.overview, name="index"),
    *(path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key) for a in areas.AREAS),
    # satisfaction, knowledge base, KPIs
    path("surveys/", quality.surveys, name="surveys"),
    path("surveys/tasks/<int:pk>/done/", quality.case_task_done, name="case_task_done"),
    path("kpis/", quality.kpis, name="kpis"),
    path("knowledge/", knowledge.article_list, name="knowledge"),
    path("knowledge/new/", knowledge.article_new, name="article_new"),
    path("knowledge/pick/", knowledge.article_pick, name="article_pick"),
    path("knowledge/<int:pk>/", knowledge.article_edit, name="article_edit"),
    path("knowledge/<int:pk>/history/", knowledge.article_history, name="article_history"),
    path(
        "knowledge/<int:pk>/restore/<int:number>/",
        knowledge.article_restore,
        name="article_restore",
    ),
]
