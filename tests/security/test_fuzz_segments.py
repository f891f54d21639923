"""The segment rule compiler (contacts.segment_rules) under arbitrary rule trees: every tree
either compiles to a query that runs on the database, or is refused with RulesInvalid naming
each bad rule; never another exception, never an SQL error (on PostgreSQL too: NUL bytes,
numbers past bigint, dates past year 9999)."""

import json

import pytest
from django.db import transaction
from hypothesis import given, strategies as st

from contacts.segment_builder import tree_from_json
from contacts.segment_rules import RuleContext, RulesInvalid, rules_clean
from marketing.selectors.segments import rules_contacts
from tests.contacts.factories import ContactFactory, CustomFieldFactory
from tests.marketing.factories import SegmentFactory

from .strategies import FUZZ, json_values, scalars, text

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

CUSTOM_TYPES = ["text", "number", "date", "choice", "boolean"]


@pytest.fixture
def rule_context(workspace):
    ContactFactory(workspace=workspace, first_name="Ann", date_of_birth="1980-01-01")
    ContactFactory(workspace=workspace, first_name="Ben")
    for kind in CUSTOM_TYPES:
        extra = {"choices": ["red", "blue"]} if kind == "choice" else {}
        CustomFieldFactory(
            workspace=workspace, key=f"f_{kind}", label=kind, field_type=kind, **extra
        )
    SegmentFactory(workspace=workspace)
    return RuleContext(workspace)


def _rule(ctx, data):
    """A rule node: a known field with one of its operators (or any), and any value."""
    rules = ctx.rules()
    rule = data.draw(st.sampled_from(rules))
    operator = data.draw(st.one_of(st.sampled_from(list(rule.operators)), scalars))
    value = data.draw(
        st.one_of(
            json_values,
            st.lists(scalars, max_size=3),
            st.tuples(scalars, scalars).map(list),
            st.sampled_from(["2026-01-01", "1900-02-29", ["1", "99999999999999999999"]]),
        )
    )
    node = {"field": data.draw(st.one_of(st.just(rule.key), text)), "operator": operator}
    if data.draw(st.booleans()):
        node["value"] = value
    return node


def _tree(ctx, data, depth=0):
    op = data.draw(st.one_of(st.sampled_from(["and", "or"]), scalars))
    children = []
    for _ in range(data.draw(st.integers(0, 4))):
        if depth < 4 and data.draw(st.integers(0, 4)) == 0:
            children.append(_tree(ctx, data, depth + 1))
        else:
            children.append(
                data.draw(st.one_of(st.just(None), json_values))
                if data.draw(st.integers(0, 6)) == 0
                else _rule(ctx, data)
            )
    return {"op": op, "rules": children}


def _runs_or_refuses(workspace, ctx, tree):
    try:
        contacts = rules_contacts(workspace=workspace, rules=tree, ctx=ctx)
    except RulesInvalid as exc:
        assert exc.errors and all(isinstance(m, str) and m for m in exc.errors.values())
        return False
    with transaction.atomic():  # an SQL error must fail the test here, not poison the rest
        assert contacts.count() <= 2
        list(contacts.values_list("pk", flat=True))
    # what compiles also cleans to the stored form, which compiles to the same contacts
    stored = rules_clean(workspace, tree, ctx=ctx)
    json.dumps(stored)
    again = rules_contacts(workspace=workspace, rules=stored, ctx=ctx)
    assert set(again.values_list("pk", flat=True)) == set(contacts.values_list("pk", flat=True))
    return True


@FUZZ
@given(data=st.data())
def test_any_rule_tree_runs_or_is_refused_with_reasons(workspace, rule_context, data):
    _runs_or_refuses(workspace, rule_context, _tree(rule_context, data))


@FUZZ
@given(anything=json_values)
def test_any_json_document_as_rules_runs_or_is_refused(workspace, rule_context, anything):
    tree, message = tree_from_json(json.dumps(anything))
    if tree is None:
        assert message
        return
    _runs_or_refuses(workspace, rule_context, tree)


@FUZZ
@given(raw=st.one_of(text, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_any_text_posted_as_rules_json_is_parsed_or_refused(raw):
    tree, message = tree_from_json(raw)
    assert (tree is None) == bool(message)


def test_a_deep_tree_is_refused_before_it_is_walked(workspace, rule_context):
    depth = 5000
    text_tree = '{"op": "and", "rules": [' * depth + "]}" * depth
    tree, message = tree_from_json(text_tree)
    assert tree is None and message
    deep: dict = {"op": "and", "rules": []}
    node = deep
    for _ in range(depth):
        child = {"op": "and", "rules": []}
        node["rules"].append(child)
        node = child
    with pytest.raises(RulesInvalid):
        rules_contacts(workspace=workspace, rules=deep, ctx=rule_context)
