"""Every date-time field of the project follows one rule on the nights clocks change
(workspaces.local_times): a time that happens twice is its first occurrence, a skipped time
gets a message naming the gap. The sweep finds every form class of the project's apps and
every form of the admin; a new date-time field that is Django's own fails it."""

import datetime
import importlib
import pkgutil
import zoneinfo
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from workspaces.forms import LocalDateTimeField, LocalSplitDateTimeField
from workspaces.local_times import aware_from_local, gap_around, is_ambiguous, is_nonexistent
from workspaces.scoping import scopes_disabled

ROOT = Path(__file__).resolve().parents[2]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
FIRST_OCCURRENCE = datetime.datetime(2027, 10, 31, 0, 30, tzinfo=datetime.UTC)


def _project_apps():
    for config in apps.get_app_configs():
        path = Path(config.path)
        if ROOT in path.parents and "site-packages" not in path.parts:
            yield config


def _import_every_module():
    for config in _project_apps():
        for module in pkgutil.walk_packages([config.path], prefix=f"{config.name}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


_import_every_module()
PROJECT = tuple(f"{c.name}." for c in _project_apps())
FORMS = sorted(
    {c for c in _subclasses(forms.BaseForm) if c.__module__.startswith(PROJECT)},
    key=lambda c: f"{c.__module__}.{c.__qualname__}",
)


def _form_id(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _datetime_fields(form_class):
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.DateTimeField | forms.SplitDateTimeField)
    }


def _admin_forms():
    """(label, form class) of every model admin's change form, as platform staff gets it."""
    from tests.factories import UserFactory

    request = RequestFactory().get("/admin/")
    request.user = UserFactory.build(is_superuser=True, is_staff=True, is_active=True)
    with scopes_disabled():  # as the middleware runs the admin for platform staff
        forms_ = [
            (model._meta.label, model_admin.get_form(request, None, change=False))
            for model, model_admin in admin.site._registry.items()
        ]
    yield from forms_


def test_the_sweep_finds_the_date_time_fields_people_type():
    found = {(_form_id(cls), name) for cls in FORMS for name in _datetime_fields(cls) if name}
    assert ("sales.forms.activities.ActivityForm", "due_at") in found
    assert ("sales.forms.activities.ActivityForm", "reminder_at") in found
    assert ("touchpoints.forms.InteractionLogForm", "occurred_at") in found


@pytest.mark.parametrize("form_class", FORMS, ids=_form_id)
def test_every_date_time_field_of_a_form_uses_the_shared_rule(form_class):
    for name, field in _datetime_fields(form_class).items():
        assert isinstance(field, LocalDateTimeField | LocalSplitDateTimeField), (
            f"{_form_id(form_class)}.{name} is {type(field).__name__}: use "
            "workspaces.forms.LocalDateTimeField"
        )
        with timezone.override(BERLIN):
            _assert_rule(field)


@pytest.mark.django_db
def test_every_admin_date_time_field_uses_the_shared_rule():
    checked = []
    for label, form_class in _admin_forms():
        for name, field in _datetime_fields(form_class).items():
            assert isinstance(field, LocalSplitDateTimeField | LocalDateTimeField), (
                f"admin {label}.{name} is {type(field).__name__}"
            )
            with timezone.override(BERLIN):
                _assert_rule(field)
            checked.append(f"{label}.{name}")
    assert "sales.Activity.due_at" in checked


def _assert_rule(field):
    """The field reads 02:30 on 2027-10-31 (Berlin) as 00:30 UTC and refuses 02:30 on
    2027-03-28 with the message naming the gap."""
    field.required = False
    split = isinstance(field, forms.SplitDateTimeField)
    ambiguous = ["2027-10-31", "02:30"] if split else "2027-10-31T02:30"
    skipped = ["2027-03-28", "02:30"] if split else "2027-03-28T02:30"
    assert field.clean(ambiguous) == FIRST_OCCURRENCE
    with pytest.raises(ValidationError) as error:
        field.clean(skipped)
    assert error.value.messages[0].startswith(
        "This time does not exist in Europe/Berlin (clocks go forward from 2 a.m. to 3 a.m."
    )


def test_the_rule_itself():
    ambiguous = datetime.datetime(2027, 10, 31, 2, 30)
    skipped = datetime.datetime(2027, 3, 28, 2, 30)
    assert is_ambiguous(ambiguous, BERLIN) and not is_nonexistent(ambiguous, BERLIN)
    assert is_nonexistent(skipped, BERLIN) and not is_ambiguous(skipped, BERLIN)
    assert aware_from_local(ambiguous, BERLIN) == FIRST_OCCURRENCE
    # the second 02:30 (winter time) is 01:30 UTC: reachable with an explicit offset only
    explicit = datetime.datetime(
        2027, 10, 31, 2, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    assert aware_from_local(explicit, BERLIN) == datetime.datetime(
        2027, 10, 31, 1, 30, tzinfo=datetime.UTC
    )
    assert gap_around(skipped, BERLIN) == (
        datetime.datetime(2027, 3, 28, 2, 0),
        datetime.datetime(2027, 3, 28, 3, 0),
    )
    # a 30-minute change (Lord Howe) and a whole skipped day (Samoa, 2011)
    assert gap_around(
        datetime.datetime(2027, 10, 3, 2, 15), zoneinfo.ZoneInfo("Australia/Lord_Howe")
    ) == (datetime.datetime(2027, 10, 3, 2, 0), datetime.datetime(2027, 10, 3, 2, 30))
    assert gap_around(
        datetime.datetime(2011, 12, 30, 12, 0), zoneinfo.ZoneInfo("Pacific/Apia")
    ) == (datetime.datetime(2011, 12, 30, 0, 0), datetime.datetime(2011, 12, 31, 0, 0))
    # ordinary times in both seasons
    assert aware_from_local(datetime.datetime(2027, 7, 1, 10, 0), BERLIN) == datetime.datetime(
        2027, 7, 1, 8, 0, tzinfo=datetime.UTC
    )
    assert aware_from_local(datetime.datetime(2027, 1, 1, 10, 0), BERLIN) == datetime.datetime(
        2027, 1, 1, 9, 0, tzinfo=datetime.UTC
    )
