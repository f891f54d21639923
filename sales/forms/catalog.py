"""Forms of the product catalogue."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import SafeModelChoiceField, WorkspaceForm, WorkspaceModelForm

from ..models import Product, ProductCategory

OPTION_VALUES_HELP = _(
    "One value per line, optionally with its price change after a bar: “Premium | 120.00”."
)


def small_widgets(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class ProductForm(WorkspaceModelForm):
    class Meta(WorkspaceModelForm.Meta):
        model = Product
        fields = [
            "sku",
            "name",
            "category",
            "description",
            "unit_price",
            "currency",
            "tax_rate",
            "active",
            "track_stock",
            "stock_on_hand",
            "lead_time_days",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = self.fields["category"].queryset.order_by(
            "position", "name"
        )
        self.fields["unit_price"].widget.attrs["min"] = "0"
        if not self.instance.pk:
            self.fields["currency"].initial = self.workspace.currency

    def service_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CategoryForm(WorkspaceForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=0, required=False)


class ProductFilterForm(WorkspaceForm):
    q = forms.CharField(label=_("Search"), required=False)
    category = SafeModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=ProductCategory.objects.none(),
        empty_label=_("All categories"),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = self.fields["category"].queryset.order_by(
            "position", "name"
        )
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else ("form-control form-control-sm")
            )
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("aria-label", str(field.label))
        self.fields["q"].widget.attrs["placeholder"] = _("Name or SKU")


class OptionForm(WorkspaceForm):
    name = forms.CharField(
        label=_("Option"), max_length=100, help_text=_("For example size, colour or support level.")
    )
    values = forms.CharField(
        label=_("Values"), widget=forms.Textarea(attrs={"rows": 4}), help_text=OPTION_VALUES_HELP
    )
    required = forms.BooleanField(label=_("A value must be chosen"), required=False, initial=True)


class ExclusionForm(WorkspaceForm):
    """Two values of different options that must not be combined."""

    value_a = forms.TypedChoiceField(label=_("Value"), coerce=int)
    value_b = forms.TypedChoiceField(label=_("cannot be combined with"), coerce=int)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        groups = [
            (option.name, [(v.pk, v.label) for v in option.values.all()])
            for option in product.options.all()
        ]
        self.values = {v.pk: v for o in product.options.all() for v in o.values.all()}
        for name in ("value_a", "value_b"):
            self.fields[name].choices = [("", "—"), *groups]
        small_widgets(self)

    def clean(self):
        data = super().clean()
        a, b = self.values.get(data.get("value_a")), self.values.get(data.get("value_b"))
        if a and b and a.option_id == b.option_id:
            raise forms.ValidationError(
                _(
                    "Choose values of two different options: values of one option exclude each "
                    "other already."
                )
            )
        data["value_a"], data["value_b"] = a, b
        return data
