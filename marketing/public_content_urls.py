from django.urls import path

from .views import public

# Public (outside /w/): asset files for mail clients, the relay's bounce endpoint.
urlpatterns = [
    path("ma/<slug:ws>/<str:token>/<str:name>", public.asset_file, name="marketing_asset"),
    path("mb/<slug:ws>/bounces/", public.bounces, name="marketing_bounces"),
]
