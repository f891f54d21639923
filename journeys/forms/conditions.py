"""A step's rule tree (a branch's condition) edited with the segment builder's rule editor
inside the journey builder: the editor's inputs carry the prefix `s-<key>-c-` and its buttons
the action prefix `cond:<key>:`, so a journey's own conditions and any number of branch
conditions share one form. The step's params form keeps its rule field (JSON, hidden); the
editor's inputs, when posted, take its place."""

import json

from django import forms
from django.http import QueryDict

from contacts.segment_builder import tree_from_form

EMPTY_TREE = {"op": "and", "rules": []}


def rules_field_name(form_class) -> str:
    """The name of the params form's rule-tree field (a JSONField called "condition" or a
    field class named RulesField), or "" when it has none."""
    if form_class is None:
        return ""
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.JSONField) and (
            name == "condition" or type(field).__name__ == "RulesField"
        ):
            return name
    return ""


def editor_prefix(key: str) -> tuple[str, str]:
    """(input name prefix, action prefix) of step `key`'s rule editor."""
    return f"s-{key}-c-", f"cond:{key}:"


def posted_tree(data, key: str, ctx) -> tuple[dict | None, str]:
    """(tree, shape error) from step `key`'s posted rule editor with its own button's action
    applied; (None, "") when the editor was not posted."""
    px, ax = editor_prefix(key)
    if px + "op" not in data:
        return None, ""
    sub = QueryDict(mutable=True)
    for name in data:
        if name.startswith(px):
            sub.setlist(name[len(px) :], data.getlist(name)[:1000])
    action = data.get("action", "")
    sub["action"] = action[len(ax) :] if action.startswith(ax) else ""
    return tree_from_form(sub, ctx)


def tree_of(value) -> dict:
    """A stored or posted rule tree (a dict or its JSON) as a dict; the empty tree else."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return EMPTY_TREE
    return value if isinstance(value, dict) and isinstance(value.get("rules"), list) else EMPTY_TREE
