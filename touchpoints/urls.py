from django.urls import path

from . import views

# Mounted under /w/<slug:ws>/history/ by crm_site/urls.py.
app_name = "touchpoints"
urlpatterns = [
    path("log/", views.log, name="log"),
    path("contact/<int:contact_id>/", views.contact_timeline, name="contact_timeline"),
    path("account/<int:account_id>/", views.account_timeline, name="account_timeline"),
]
