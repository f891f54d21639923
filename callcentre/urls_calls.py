"""The calls pages of callcentre (included by callcentre/urls.py under the app's namespace)."""

from django.urls import path

from .views import calls, calls_setup

urlpatterns: list = [
    path("calls/", calls.calls, name="calls"),
    path("calls/log/", calls.call_log, name="call_log"),
    path("calls/pop/", calls.pop, name="call_pop"),
    path("calls/<int:pk>/", calls.call_detail, name="call_detail"),
    path("callbacks/", calls.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/", calls.callback_mark, name="callback_mark"),
    path("telephony/", calls_setup.telephony, name="telephony"),
    path(
        "telephony/agent-lines/<int:pk>/delete/",
        calls_setup.agent_line_delete,
        name="agent_line_delete",
    ),
    path(
        "telephony/queue-lines/<int:pk>/delete/",
        calls_setup.queue_line_delete,
        name="queue_line_delete",
    ),
]
