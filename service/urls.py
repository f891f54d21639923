from django.urls import include, path

from .views import areas, cases, knowledge, quality, setup

app_name = "service"
urlpatterns = [
    path("", areas.overview, name="index"),
    path("mail/", include("service.mail_urls")),  # email to case
    # cases
    path("cases/", cases.case_list, name="cases"),
    path("cases/new/", cases.case_create, name="case_create"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/message/", cases.case_message, name="case_message"),
    path("cases/<int:pk>/log/", cases.case_log, name="case_log"),
    path("cases/<int:pk>/status/", cases.case_status, name="case_status"),
    path("cases/<int:pk>/controls/", cases.case_controls, name="case_controls"),
    path("cases/<int:pk>/details/", cases.case_details, name="case_details"),
    path("cases/<int:pk>/products/", cases.product_search, name="case_products"),
    # set-up
    path("queues/", setup.queue_list, name="queues"),
    path("queues/<int:pk>/", setup.queue_detail, name="queue_detail"),
    path("slas/", setup.sla_policies, name="slas"),
    path("calendars/", setup.calendar_list, name="calendars"),
    path("calendars/<int:pk>/", setup.calendar_detail, name="calendar_detail"),
    path("canned/", setup.canned_list, name="canned"),
    path("canned/<int:pk>/", setup.canned_edit, name="canned_edit"),
    path("contact-form/", setup.web_form_settings, name="web_form"),
    # satisfaction, KPIs, knowledge base
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
    # pages still to come (empty states)
    *(
        path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key)
        for a in areas.AREAS
        if a.key not in {"cases", "queues", "slas", "surveys"}
    ),
]
