from django.urls import path

from .views import public

# Public (outside /w/): the workspace comes from the signed form id.
urlpatterns = [
    path("contact/<str:token>/", public.case_form, name="service_case_form"),
]
