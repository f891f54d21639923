"""Every index leads with the workspace, and none is there twice (DESIGN.md §4, §11).

The `workspace` foreign key has no single-column index of its own: the composite indexes and
unique constraints that start with `workspace` serve every lookup by workspace, and a second
index on the same leading column only slows each write. That is safe only while every
workspace-owned model has such a composite, which this test keeps true for the models of
every app (the next apps copy the pattern).
"""

import pytest
from django.apps import apps
from django.db import connection, models


def _models_with_a_workspace():
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "workspace"), None)
        if field is not None and field.is_relation and not field.primary_key:
            yield model, field  # (a workspace that is the primary key is its own index)


def _leading_with_workspace(model) -> list[str]:
    names = [i.name for i in model._meta.indexes if i.fields and i.fields[0] == "workspace"]
    names += [
        c.name
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint)
        and c.fields
        and c.fields[0] == "workspace"
        and c.condition is None
    ]
    names += [str(t) for t in model._meta.unique_together if t and t[0] == "workspace"]
    return names


MODELS = sorted(_models_with_a_workspace(), key=lambda pair: pair[0]._meta.label)
LABELS = [model._meta.label for model, _field in MODELS]


def test_there_are_workspace_models_to_check():
    labels = {model._meta.label for model, _field in MODELS}
    assert {"contacts.Contact", "sales.Deal", "sales.Lead", "touchpoints.Interaction"} <= labels


@pytest.mark.parametrize(("model", "field"), MODELS, ids=LABELS)
def test_the_workspace_key_has_no_index_of_its_own(model, field):
    assert not field.db_index, (
        f"{model._meta.label}.workspace has its own index; its composite indexes lead with "
        "workspace already (set db_index=False)"
    )


@pytest.mark.parametrize(("model", "field"), MODELS, ids=LABELS)
def test_an_index_or_unique_constraint_leads_with_the_workspace(model, field):
    assert _leading_with_workspace(model), (
        f"{model._meta.label} has no index or unique constraint starting with workspace"
    )


@pytest.mark.django_db
def test_the_database_has_no_single_column_workspace_index():
    """What the migrations built, read back from the database (SQLite and PostgreSQL)."""
    single = []
    with connection.cursor() as cursor:
        for model, field in MODELS:
            table = model._meta.db_table
            for name, info in connection.introspection.get_constraints(cursor, table).items():
                if info["index"] and not info["unique"] and info["columns"] == [field.column]:
                    single.append(f"{table}.{name}")
    assert single == []
