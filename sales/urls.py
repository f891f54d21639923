from django.urls import path
from django.views.generic import RedirectView

from .views import activities, analyses, catalog, deals, leads, quote_documents, quotes, settings

app_name = "sales"
urlpatterns: list = [
    path(
        "",
        RedirectView.as_view(pattern_name="sales:board", http_method_names=["get", "head"]),
        name="index",
    ),
    # leads
    path("leads/", leads.lead_list, name="leads"),
    path("leads/new/", leads.lead_create, name="lead_create"),
    path("leads/<int:pk>/", leads.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/qualify/", leads.lead_qualify, name="lead_qualify"),
    path("leads/<int:pk>/disqualify/", leads.lead_disqualify, name="lead_disqualify"),
    path("leads/<int:pk>/convert/", leads.lead_convert, name="lead_convert"),
    path("leads/<int:pk>/delete/", leads.lead_delete, name="lead_delete"),
    path("leads/<int:pk>/log/", leads.lead_log, name="lead_log"),
    # deals
    path("deals/", deals.deal_list, name="deals"),
    path("deals/new/", deals.deal_create, name="deal_create"),
    path("deals/<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", deals.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", deals.deal_move, name="deal_move"),
    path("deals/<int:pk>/delete/", deals.deal_delete, name="deal_delete"),
    path("pipeline/", deals.board, name="board"),
    path("pipeline/<int:pipeline_pk>/", deals.board, name="board_pipeline"),
    # activities
    path("activities/", activities.my_day, name="my_day"),
    path("activities/calendar/", activities.calendar_week, name="calendar"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/done/", activities.activity_complete, name="activity_complete"),
    path("activities/<int:pk>/delete/", activities.activity_delete, name="activity_delete"),
    path("activities/feed/", activities.calendar_feed, name="calendar_feed"),
    # settings
    path("settings/", settings.settings_page, name="settings"),
    path("settings/web-form/switch/", settings.web_form_toggle, name="web_form_toggle"),
    path("settings/web-form/renew/", settings.web_form_rotate, name="web_form_rotate"),
    path("settings/pipelines/new/", settings.pipeline_create, name="pipeline_create"),
    path("settings/pipelines/<int:pk>/", settings.pipeline_edit, name="pipeline_edit"),
    path(
        "settings/pipelines/<int:pk>/delete/",
        settings.pipeline_delete,
        name="pipeline_delete",
    ),
    path(
        "settings/pipelines/<int:pipeline_pk>/stages/new/",
        settings.stage_create,
        name="stage_create",
    ),
    path("settings/stages/<int:pk>/", settings.stage_edit, name="stage_edit"),
    path("settings/stages/<int:pk>/delete/", settings.stage_delete, name="stage_delete"),
    path("settings/stages/<int:pk>/move/", settings.stage_move, name="stage_move"),
    path("settings/lost-reasons/new/", settings.lost_reason_create, name="lost_reason_create"),
    path("settings/lost-reasons/<int:pk>/", settings.lost_reason_edit, name="lost_reason_edit"),
    path(
        "settings/lost-reasons/<int:pk>/toggle/",
        settings.lost_reason_toggle,
        name="lost_reason_toggle",
    ),
    # catalogue
    path("products/", catalog.product_list, name="products"),
    path("products/new/", catalog.product_create, name="product_create"),
    path("products/configurator/", catalog.configurator, name="configurator"),
    path("products/categories/new/", catalog.category_create, name="category_create"),
    path("products/<int:pk>/", catalog.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", catalog.product_edit, name="product_edit"),
    path("products/<int:pk>/options/new/", catalog.option_create, name="option_create"),
    path("products/options/<int:pk>/delete/", catalog.option_delete, name="option_delete"),
    path(
        "products/<int:pk>/exclusions/new/",
        catalog.exclusion_create,
        name="exclusion_create",
    ),
    path(
        "products/exclusions/<int:pk>/delete/",
        catalog.exclusion_delete,
        name="exclusion_delete",
    ),
    # quotes
    path("quotes/", quotes.quote_list, name="quotes"),
    path("deals/<int:deal_pk>/quotes/new/", quotes.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", quotes.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/lines/new/", quotes.line_add, name="quote_line_add"),
    path("quote-lines/<int:pk>/delete/", quotes.line_remove, name="quote_line_remove"),
    path("quotes/<int:pk>/status/", quotes.quote_status, name="quote_status"),
    path("quotes/<int:pk>/print/", quotes.quote_print, name="quote_print"),
    path("quotes/<int:pk>/pdf/", quote_documents.quote_pdf, name="quote_pdf"),
    # analyses
    path("analyses/", analyses.analyses_home, name="analyses"),
    path("analyses/forecast/", analyses.forecast, name="analysis_forecast"),
    path("analyses/reps/", analyses.rep_performance, name="analysis_reps"),
    path("analyses/cycle/", analyses.sales_cycle, name="analysis_cycle"),
    path("analyses/lost/", analyses.lost_orders, name="analysis_lost"),
    path("analyses/funnel/", analyses.funnel, name="analysis_funnel"),
    path("analyses/quotas/", analyses.quotas, name="analysis_quotas"),
]
