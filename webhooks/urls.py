"""The webhooks pages under /w/<slug>/webhooks/."""

from django.urls import path

from .views import endpoints as views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("new/", views.endpoint_new, name="endpoint_new"),
    path("<int:pk>/", views.endpoint, name="endpoint"),
    path("<int:pk>/edit/", views.endpoint_edit, name="endpoint_edit"),
    path("<int:pk>/rotate/", views.endpoint_rotate, name="endpoint_rotate"),
    path("<int:pk>/test/", views.endpoint_test, name="endpoint_test"),
    path("deliveries/<int:pk>/", views.delivery, name="delivery"),
    path("deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery_replay"),
]
