from django.urls import path

from . import views

# Mounted under /w/<slug:ws>/ by crm_site/urls.py.
urlpatterns = [
    path("", views.home, name="workspace_home"),
    path("search/", views.search, name="search"),
]
