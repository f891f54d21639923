"""Filters of the API lists that the stock ones get wrong for ids.

django-filter's NumberFilter reads a decimal: `?owner=7.1e16` or an id beyond 64 bits
reaches the database and fails there (a 500; SQLite cannot even bind it). `IdFilter` takes
whole numbers in the range of a primary key only, anything else a 400 naming the filter."""

from django import forms
from django_filters import rest_framework as filters

MAX_ID = 2**63 - 1  # bigint


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class IdFilter(filters.NumberFilter):
    """An id (or a per-workspace number) filter: a whole number from 1 to 2⁶³ − 1."""

    field_class = IdField
