from django.urls import path

from . import public_views

# Public (outside /w/): the workspace comes from a signed form id or a feed secret.
urlpatterns = [
    path("f/<str:token>/", public_views.web_form, name="sales_web_form"),
    path("cal/<slug:ws>/<str:token>.ics", public_views.calendar_ics, name="sales_calendar_ics"),
]
