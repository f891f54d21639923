from django.urls import path

from .views import public

# Public (outside /w/): the workspace comes from the signed per-delivery token.
urlpatterns = [
    path("m/u/<str:token>/", public.unsubscribe, name="marketing_unsubscribe"),
    path("m/o/<str:token>.gif", public.open_pixel, name="marketing_open"),
    path("m/c/<str:token>/", public.click, name="marketing_click"),
]
