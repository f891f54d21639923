from django.urls import include, path

from .views import areas, cases, setup

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
    # pages still to come (empty states)
    *(
        path(f"{a.key}/", areas.area, {"key": a.key}, name=a.key)
        for a in areas.AREAS
        if a.key not in {"cases", "queues", "slas"}
    ),
]
