from django.urls import path

from .views import public

# Public (outside /w/): the survey's workspace comes from its signed token; the help pages
# name the workspace by its slug and show public, published articles only.
urlpatterns = [
    path("s/<str:token>/", public.survey, name="service_survey"),
    path("kb/<slug:ws>/", public.kb_index, name="service_kb_index"),
    path("kb/<slug:ws>/<str:language>/<slug:slug>/", public.kb_article, name="service_kb_article"),
]
