"""The segment builder's form: the rule tree posted as flat form fields, and back.

Every node of the tree has a path ("0", "1", "1.0": indexes from the root) and a hidden
`n` input saying what it is ("g:<path>" for a group, "r:<path>" for a rule), in document
order. A group's combinator is `op` (the root) or `g-<path>-op`; a rule's inputs are
`r-<path>-field`, `-operator`, `-value` (repeated for lists), `-min`, `-max`, `-channel`,
`-days`. A button `action` = "add:<group path>", "addgroup:<group path>" or
"remove:<path>" changes the tree's shape. A posted `rules_json` (a rule tree as JSON, for
scripts and people who write it by hand) takes precedence over the fields.

Pure: reads no tables (the rules' choices come through contacts.segment_rules.RuleContext).
"""

import json

from django.utils.translation import gettext as _

from contacts.segment_rules import (
    MAX_DEPTH,
    NO_VALUE,
    OPERATORS,
    RuleContext,
    tree_shape_error,
)

JSON_MAX_BYTES = 16 * 1024  # a full tree (50 rules, 3 levels) written out fits in ~8 KB
NODES_MAX = 200  # nodes read from one post (a tree holds at most 50 rules)


def _value_from_form(rule, operator, get, getlist, prefix):
    if rule is None or operator in NO_VALUE:
        return None
    kind = rule.value_kind
    if kind in ("choice", "ids"):
        return getlist(f"{prefix}-value")
    if kind in ("text", "id", "days"):
        return get(f"{prefix}-value", "")
    pair = [get(f"{prefix}-min", ""), get(f"{prefix}-max", "")]
    if kind == "number" or kind == "date":
        return pair if operator == "between" else get(f"{prefix}-value", "")
    if kind == "channel_days":
        return {"channel": get(f"{prefix}-channel", ""), "days": get(f"{prefix}-days", "")}
    if kind == "count_days":
        count = pair if operator == "between" else get(f"{prefix}-value", "")
        return {"count": count, "days": get(f"{prefix}-days", "")}
    return get(f"{prefix}-value", "")


def tree_from_form(data, ctx: RuleContext) -> tuple[dict, str]:
    """(tree, "") for the rule tree posted as fields (see the module docstring), with the
    `action` applied; a rule whose field changed gets the new field's first operator and no
    value. Nodes nested deeper than MAX_DEPTH levels are left out and reported, as is a tree
    of more than MAX_RULES rules: (tree without them, message). Iterative; at most NODES_MAX
    nodes are read."""
    get = lambda k, d="": (data.get(k, d) or d)[:1000]  # noqa: E731
    getlist = lambda k: [v[:1000] for v in data.getlist(k)][:1000]  # noqa: E731
    root = {"op": "or" if get("op") == "or" else "and", "rules": []}
    groups = {"": root}
    too_deep = False
    for entry in data.getlist("n")[:NODES_MAX]:
        kind, _sep, path = entry.partition(":")
        parent_path = path.rpartition(".")[0]
        parent = groups.get(parent_path)
        if parent is None or not path:
            continue
        # a group at path "0.1" is level 3 (the root is level 1); a rule may sit in the last
        if path.count(".") + (2 if kind == "g" else 1) > MAX_DEPTH:
            too_deep = True
            continue
        if kind == "g":
            group = {"op": "or" if get(f"g-{path}-op") == "or" else "and", "rules": []}
            parent["rules"].append(group)
            groups[path] = group
        elif kind == "r":
            prefix = f"r-{path}"
            key = get(f"{prefix}-field")
            rule = ctx.rule(key) if key else None
            operator = get(f"{prefix}-operator")
            if rule is not None and operator not in rule.operators:
                operator, value = rule.operators[0], None
            else:
                value = _value_from_form(rule, operator, get, getlist, prefix)
            node = {"field": key, "operator": operator}
            if rule is None or operator not in NO_VALUE:
                node["value"] = value
            parent["rules"].append(node)
    # the groups were appended in document order; paths are re-numbered by position now
    _apply_action(root, get("action"))
    if too_deep:
        return root, _("Groups nest at most %(n)s levels deep.") % {"n": MAX_DEPTH}
    return root, tree_shape_error(root)


def _node_at(root, path):
    node = root
    for part in filter(None, path.split(".")):
        try:
            node = node["rules"][int(part)]
        except (ValueError, IndexError, KeyError, TypeError):
            return None
    return node


def _apply_action(root, action: str) -> None:
    verb, _sep, path = action.partition(":")
    if verb in ("add", "addgroup"):
        group = _node_at(root, path)
        if isinstance(group, dict) and isinstance(group.get("rules"), list):
            depth = len(path.split(".")) if path else 0
            if verb == "add":
                group["rules"].append({"field": "", "operator": "", "value": None})
            elif depth + 1 < MAX_DEPTH:
                group["rules"].append(
                    {"op": "or", "rules": [{"field": "", "operator": "", "value": None}]}
                )
    elif verb == "remove" and path:
        parent_path, _sep, index = path.rpartition(".")
        parent = _node_at(root, parent_path)
        if (
            isinstance(parent, dict)
            and index.isdigit()
            and int(index) < len(parent.get("rules", []))
        ):
            del parent["rules"][int(index)]


def tree_from_json(text: str) -> tuple[dict | None, str]:
    """(tree, "") from a posted rule tree in JSON, or (None, message) for text longer than
    JSON_MAX_BYTES, no JSON object, or a tree nested deeper than MAX_DEPTH levels or holding
    more than MAX_RULES rules (checked iteratively, before anything walks the tree)."""
    if len(text.encode()) > JSON_MAX_BYTES:
        return None, _("The rules are longer than %(n)s KB.") % {"n": JSON_MAX_BYTES // 1024}
    try:
        tree = json.loads(text)
    except (ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        return None, _("The rules are not valid JSON%(where)s.") % {"where": where}
    if not isinstance(tree, dict):
        return None, _("The rules must be a JSON object with “op” and “rules”.")
    shape_error = tree_shape_error(tree)
    if shape_error:
        return None, shape_error
    return tree, ""


def tree_view(tree, ctx: RuleContext, errors: dict) -> dict:
    """What the builder template draws: the tree with paths, each rule's definition, its
    operators and value parts, the choices, and the error at each node."""
    rules_by_group: dict[str, list] = {}
    for rule in ctx.rules():
        rules_by_group.setdefault(str(rule.group), []).append(rule)
    fields = [
        (group, [(r.key, str(r.label)) for r in items]) for group, items in rules_by_group.items()
    ]
    return {
        "root": _group_view(tree if isinstance(tree, dict) else {}, "", 0, ctx, errors),
        "fields": fields,
        "tree_error": errors.get(""),
        "error_list": error_list(errors),
        "error_paths": error_paths(errors),
    }


def error_paths(errors: dict) -> str:
    """The paths of the messages drawn next to the rules, "#"-prefixed and "," joined in
    order ("#" for the tree itself, "#0,#1.2"; "" for none): posted back as `errors-shown`,
    so a live count whose messages changed redraws the rules (a message that no longer holds
    goes away)."""
    return ",".join(sorted(f"#{path}" for path in errors if isinstance(path, str)))


def error_list(errors: dict) -> list[tuple[str, str]]:
    """[(rule number as people count, message)]: "2.1" is the first rule of the second entry
    of the top group; "" for the tree as a whole."""
    return [
        (".".join(str(int(part) + 1) for part in path.split(".") if part.isdigit()), message)
        for path, message in errors.items()
    ]


def _group_view(group, path, depth, ctx, errors):
    children = []
    for index, child in enumerate(
        group.get("rules") or [] if isinstance(group.get("rules"), list) else []
    ):
        child_path = f"{path}.{index}" if path else str(index)
        if isinstance(child, dict) and "rules" in child:
            if depth + 1 >= MAX_DEPTH:  # deeper groups are refused before; never drawn
                continue
            children.append(_group_view(child, child_path, depth + 1, ctx, errors))
        else:
            children.append(_rule_view(child, child_path, ctx, errors))
    return {
        "is_group": True,
        "path": path,
        "op": group.get("op") if group.get("op") in ("and", "or") else "and",
        "children": children,
        "can_nest": depth + 1 < MAX_DEPTH,
        "error": errors.get(path) if path else None,
    }


def _as_list(value):
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _rule_view(node, path, ctx, errors):
    node = node if isinstance(node, dict) else {}
    key = node.get("field") if isinstance(node.get("field"), str) else ""
    rule = ctx.rule(key) if key else None
    operator = node.get("operator") if isinstance(node.get("operator"), str) else ""
    value = node.get("value")
    view = {
        "is_group": False,
        "path": path,
        "key": key,
        "rule": rule,
        "missing": bool(key) and rule is None,
        "operator": operator,
        "operators": [(op, str(OPERATORS[op])) for op in rule.operators] if rule else [],
        "kind": rule.value_kind if rule else "",
        "no_value": operator in NO_VALUE,
        "between": operator == "between",
        "error": errors.get(path),
        "value": "",
        "values": [],
        "min": "",
        "max": "",
        "channel": "",
        "days": "",
        "choices": [],
    }
    if rule is None:
        return view
    if rule.value_kind in ("choice", "ids", "id", "channel_days"):
        view["choices"] = [(str(v), label) for v, label in ctx.choices(rule)]
    if isinstance(value, dict):
        view["channel"] = str(value.get("channel") or "")
        view["days"] = str(value.get("days") or "")
        value = value.get("count")
    if isinstance(value, list) and operator == "between" and len(value) == 2:
        view["min"], view["max"] = (str(v) for v in value)
    elif isinstance(value, list):
        view["values"] = _as_list(value)
    elif value is not None:
        view["value"] = str(value)
        view["values"] = [str(value)]
    return view
