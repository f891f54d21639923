from django.contrib import admin
from django.urls import include, path

from contacts.views import contacts as contact_views
from workspaces import views as workspace_views

# Every workspace page lives under /w/<slug>/ (DESIGN.md §4, fence 1).
workspace_patterns = [
    path("", include("workspaces.urls")),
    path("contacts/", include("contacts.urls")),
    path("lookup/", contact_views.lookup, name="lookup"),  # screen pop: ?phone=<any format>
    path("history/", include("touchpoints.urls")),
    path("sales/", include("sales.urls")),
    path("marketing/", include("marketing.urls")),
    path("service/", include("service.urls")),
    path("scoring/", include("scoring.urls")),
    path("callcentre/", include("callcentre.urls")),
    path("journeys/", include("journeys.urls")),
    path("warehouse/", include("warehouse.urls")),
    path("api-keys/", include("api.urls")),
    path("webhooks/", include("webhooks.urls")),
]

urlpatterns = [
    path("", workspace_views.root, name="home"),
    path("accounts/", include("workspaces.account_urls")),
    path("admin/", admin.site.urls),
    path("w/<slug:ws>/", include(workspace_patterns)),
    path("", include("workspaces.public_urls")),
    path("", include("sales.public_urls")),  # web-to-lead form, calendar feeds
    path("", include("marketing.public_urls")),  # unsubscribe, open pixel, click redirect
    path("", include("marketing.public_content_urls")),  # asset files, bounce endpoint
    path("", include("service.public_urls")),  # complaint form, surveys, help pages
    path("", include("callcentre.public_urls")),  # telephony events
    path("", include("journeys.public_urls")),
    path("api/", include("api.api_urls")),  # REST API with API keys
]

handler403 = "workspaces.errors.permission_denied"
handler404 = "workspaces.errors.page_not_found"
handler500 = "workspaces.errors.server_error"
