"""Django admin of the catalogue, quotes and quotas (workspace-scoped). Quotes and their
lines are read-only here: numbering, totals and the status workflow belong to the services.
Products, categories and quotas are written through their services; options, values and
exclusion rules are saved generically (each save and delete recorded)."""

from django.contrib import admin

from workspaces.admin import WorkspaceModelAdmin

from ..models import (
    Product,
    ProductCategory,
    ProductOption,
    ProductOptionExclusion,
    ProductOptionValue,
    Quota,
    Quote,
    QuoteLine,
)
from ..services.catalog import PRODUCT_FIELDS, category_create, product_create, product_update
from ..services.quotas import quota_set


@admin.register(ProductCategory)
class ProductCategoryAdmin(WorkspaceModelAdmin):
    list_display = ["name", "position"]

    def service_save(self, request, obj, form, change):
        if change:
            return NotImplemented  # no service renames a category: a generic, recorded save
        return category_create(
            workspace=self.workspace_for(request, obj),
            actor=request.user,
            **self.service_fields(form, {"name", "position"}, False),
        )


@admin.register(Product)
class ProductAdmin(WorkspaceModelAdmin):
    list_display = ["sku", "name", "category", "unit_price", "currency", "stock_on_hand", "active"]
    list_select_related = ["category"]
    list_filter = ["active"]
    search_fields = ["sku", "name"]

    def service_save(self, request, obj, form, change):
        fields = self.service_fields(form, PRODUCT_FIELDS, change)
        if change:
            return product_update(
                workspace=self.workspace_for(request, obj),
                product=self.stored(obj),
                actor=request.user,
                **fields,
            )
        return product_create(
            workspace=self.workspace_for(request, obj), actor=request.user, **fields
        )


@admin.register(ProductOption)
class ProductOptionAdmin(WorkspaceModelAdmin):
    list_display = ["name", "product", "required", "position"]
    list_select_related = ["product"]


@admin.register(ProductOptionValue)
class ProductOptionValueAdmin(WorkspaceModelAdmin):
    list_display = ["label", "option", "price_delta", "position"]
    list_select_related = ["option"]


@admin.register(ProductOptionExclusion)
class ProductOptionExclusionAdmin(WorkspaceModelAdmin):
    list_display = ["product", "value_a", "value_b"]
    list_select_related = ["product", "value_a__option", "value_b__option"]


@admin.register(Quote)
class QuoteAdmin(WorkspaceModelAdmin):
    list_display = ["number", "deal", "status", "gross_total", "currency", "valid_until"]
    list_select_related = ["deal"]
    list_filter = ["status"]
    search_fields = ["number"]
    readonly = True


@admin.register(QuoteLine)
class QuoteLineAdmin(WorkspaceModelAdmin):
    list_display = ["quote", "description", "quantity", "unit_price", "net_amount"]
    list_select_related = ["quote"]
    readonly = True


@admin.register(Quota)
class QuotaAdmin(WorkspaceModelAdmin):
    list_display = ["user", "period", "start", "amount"]
    list_select_related = ["user"]
    list_filter = ["period"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "period", "start"] if obj is not None else []

    def service_save(self, request, obj, form, change):
        # `obj` carries the form's values; user, period and start are read-only on change
        return quota_set(
            workspace=self.workspace_for(request, obj),
            actor=request.user,
            user=obj.user,
            period=obj.period,
            start=obj.start,
            amount=obj.amount,
        )
