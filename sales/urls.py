from django.urls import path
from django.views.generic import RedirectView

from . import (
    views_activities,
    views_analyses,
    views_catalog,
    views_deals,
    views_leads,
    views_quotes,
    views_settings,
)

app_name = "sales"
urlpatterns: list = [
    path(
        "",
        RedirectView.as_view(pattern_name="sales:board", http_method_names=["get", "head"]),
        name="index",
    ),
    # leads
    path("leads/", views_leads.lead_list, name="leads"),
    path("leads/new/", views_leads.lead_create, name="lead_create"),
    path("leads/<int:pk>/", views_leads.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/edit/", views_leads.lead_edit, name="lead_edit"),
    path("leads/<int:pk>/qualify/", views_leads.lead_qualify, name="lead_qualify"),
    path("leads/<int:pk>/disqualify/", views_leads.lead_disqualify, name="lead_disqualify"),
    path("leads/<int:pk>/convert/", views_leads.lead_convert, name="lead_convert"),
    path("leads/<int:pk>/delete/", views_leads.lead_delete, name="lead_delete"),
    path("leads/<int:pk>/log/", views_leads.lead_log, name="lead_log"),
    # deals
    path("deals/", views_deals.deal_list, name="deals"),
    path("deals/new/", views_deals.deal_create, name="deal_create"),
    path("deals/<int:pk>/", views_deals.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", views_deals.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/move/", views_deals.deal_move, name="deal_move"),
    path("deals/<int:pk>/delete/", views_deals.deal_delete, name="deal_delete"),
    path("pipeline/", views_deals.board, name="board"),
    path("pipeline/<int:pipeline_pk>/", views_deals.board, name="board_pipeline"),
    # activities
    path("activities/", views_activities.my_day, name="my_day"),
    path("activities/calendar/", views_activities.calendar_week, name="calendar"),
    path("activities/new/", views_activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/edit/", views_activities.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/done/", views_activities.activity_complete, name="activity_complete"),
    path("activities/<int:pk>/delete/", views_activities.activity_delete, name="activity_delete"),
    path("activities/feed/", views_activities.calendar_feed, name="calendar_feed"),
    # settings
    path("settings/", views_settings.settings_page, name="settings"),
    path("settings/web-form/switch/", views_settings.web_form_toggle, name="web_form_toggle"),
    path("settings/web-form/renew/", views_settings.web_form_rotate, name="web_form_rotate"),
    path("settings/pipelines/new/", views_settings.pipeline_create, name="pipeline_create"),
    path("settings/pipelines/<int:pk>/", views_settings.pipeline_edit, name="pipeline_edit"),
    path(
        "settings/pipelines/<int:pk>/delete/",
        views_settings.pipeline_delete,
        name="pipeline_delete",
    ),
    path(
        "settings/pipelines/<int:pipeline_pk>/stages/new/",
        views_settings.stage_create,
        name="stage_create",
    ),
    path("settings/stages/<int:pk>/", views_settings.stage_edit, name="stage_edit"),
    path("settings/stages/<int:pk>/delete/", views_settings.stage_delete, name="stage_delete"),
    path("settings/stages/<int:pk>/move/", views_settings.stage_move, name="stage_move"),
    path(
        "settings/lost-reasons/new/", views_settings.lost_reason_create, name="lost_reason_create"
    ),
    path(
        "settings/lost-reasons/<int:pk>/", views_settings.lost_reason_edit, name="lost_reason_edit"
    ),
    path(
        "settings/lost-reasons/<int:pk>/toggle/",
        views_settings.lost_reason_toggle,
        name="lost_reason_toggle",
    ),
    # catalogue
    path("products/", views_catalog.product_list, name="products"),
    path("products/new/", views_catalog.product_create, name="product_create"),
    path("products/configurator/", views_catalog.configurator, name="configurator"),
    path("products/categories/new/", views_catalog.category_create, name="category_create"),
    path("products/<int:pk>/", views_catalog.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views_catalog.product_edit, name="product_edit"),
    path("products/<int:pk>/options/new/", views_catalog.option_create, name="option_create"),
    path("products/options/<int:pk>/delete/", views_catalog.option_delete, name="option_delete"),
    path(
        "products/<int:pk>/exclusions/new/",
        views_catalog.exclusion_create,
        name="exclusion_create",
    ),
    path(
        "products/exclusions/<int:pk>/delete/",
        views_catalog.exclusion_delete,
        name="exclusion_delete",
    ),
    # quotes
    path("quotes/", views_quotes.quote_list, name="quotes"),
    path("deals/<int:deal_pk>/quotes/new/", views_quotes.quote_create, name="quote_create"),
    path("quotes/<int:pk>/", views_quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", views_quotes.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/lines/new/", views_quotes.line_add, name="quote_line_add"),
    path("quote-lines/<int:pk>/delete/", views_quotes.line_remove, name="quote_line_remove"),
    path("quotes/<int:pk>/status/", views_quotes.quote_status, name="quote_status"),
    path("quotes/<int:pk>/print/", views_quotes.quote_print, name="quote_print"),
    # analyses
    path("analyses/", views_analyses.analyses_home, name="analyses"),
    path("analyses/forecast/", views_analyses.forecast, name="analysis_forecast"),
    path("analyses/reps/", views_analyses.rep_performance, name="analysis_reps"),
    path("analyses/cycle/", views_analyses.sales_cycle, name="analysis_cycle"),
    path("analyses/lost/", views_analyses.lost_orders, name="analysis_lost"),
    path("analyses/funnel/", views_analyses.funnel, name="analysis_funnel"),
    path("analyses/quotas/", views_analyses.quotas, name="analysis_quotas"),
]
