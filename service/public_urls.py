from django.urls import path

from .views import public, public_quality
from .views.inbound_endpoint import inbound_mail

# Public (outside /w/): the contact form's and the survey's workspace come from their signed
# token; the help pages name the workspace by its slug and show public, published articles only;
# the inbound mail endpoint authenticates the workspace by its inbound secret.
urlpatterns = [
    path("inbound/mail/<slug:slug>/", inbound_mail, name="service_inbound_mail"),
    path("contact/<str:token>/", public.case_form, name="service_case_form"),
    path("s/<str:token>/", public_quality.survey, name="service_survey"),
    path("kb/<slug:ws>/", public_quality.kb_index, name="service_kb_index"),
    path(
        "kb/<slug:ws>/<str:language>/<slug:slug>/",
        public_quality.kb_article,
        name="service_kb_article",
    ),
]
