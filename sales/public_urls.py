from django.urls import path

from .views import public

# Public (outside /w/): the workspace comes from a signed form id or a feed secret.
urlpatterns = [
    path("f/<str:token>/", public.web_form, name="sales_web_form"),
    path("cal/<slug:ws>/<str:token>.ics", public.calendar_ics, name="sales_calendar_ics"),
]
