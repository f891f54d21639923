"""The segment rule registry: the conditions a segment (marketing) may put on contacts, each
compiled to a Django `Q` on `Contact` (ORM only, never string-built SQL).

A rule tree, as segments store it (marketing.Segment.rules):

    {"op": "and" | "or", "rules": [rule | group, ...]}
    rule = {"field": "<registered key>", "operator": "<one of the rule's operators>", "value": ...}

Groups nest up to MAX_DEPTH levels; a tree holds at most MAX_RULES rules. An empty group
matches every contact (it adds no condition).

Registering a rule (from an app's registration module, called by `AppConfig.ready()`; keys
are unique, a second registration raises ValueError):

    from contacts.segment_rules import SegmentRule, register_segment_rule

    register_segment_rule(SegmentRule(
        key="has_won_deal", label=_("Has a won deal"), group=_("Sales"),
        operators=("is_true", "is_false"), value_kind="bool",
        q_builder=lambda workspace, operator, value: ...,  # -> Q on Contact
    ))

- `operators`: keys of OPERATORS (their labels are shown in the builder).
- `value_kind`: how the value is entered and checked before `q_builder` sees it (VALUE_KINDS):
  "choice" (a list of `choices` values; operators in/not_in/is_empty/is_not_empty), "text"
  (a string up to MAX_TEXT characters), "number" (an int, or [min, max] for "between"),
  "date" (an ISO date, [from, to] for "between", or a number of days for
  "within_days"/"older_than_days"), "bool" (no value), "ids" (a list of ids from `choices`),
  "id" (one id from `choices`), "channel_days" ({"channel": <choice>, "days": N}),
  "count_days" ({"count": N or [min, max], "days": N}), "days" (a number of days).
- `choices`: a list of (value, label), or a callable (workspace) -> list of (value, label)
  read once per check (keep it one query over a small table: tags, members, segments).
  Values outside the choices are refused; a stored rule whose chosen value is gone (a deleted
  tag) is a *stale* rule (RuleError.stale), and the segment is flagged, not silently empty.
- `q_builder(workspace, operator, value)`: gets the checked value and returns a Q on Contact.
  Use `Exists(...)`/`pk__in` subqueries on the own app's models filtered by `workspace`.
- `stale_message`: an optional callable (workspace, value) -> str | None, asked when a
  stored value must be re-checked beyond its choices (e.g. a segment that no longer exists).

Keys starting with "custom." are the workspace's custom contact fields ("custom.<key>"),
made on the fly from the CustomField rows: a deleted custom field makes its rules stale.

`rules_compile(workspace, tree)` checks a whole tree and returns its Q; it raises RulesInvalid
carrying one message per bad rule, keyed by the rule's path ("0", "1.2": indexes from the
root). Other apps register behaviour rules: sales "has a won deal", service "has an open
case", marketing "member of segment" and the campaign rules.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _, gettext_lazy

from workspaces.registry import Registry

from .custom_values import choice_values
from .models import (
    CustomField,
    CustomFieldEntity,
    CustomFieldType,
)

MAX_DEPTH = 3  # the root group and two levels of groups inside it
MAX_RULES = 50
MAX_LIST = 500  # values of one "in" list
MAX_TEXT = 200
MAX_DAYS = 36_500  # a hundred years
MAX_NUMBER = 10**15
MAX_AGE = 150

OPERATORS = {
    "in": gettext_lazy("is any of"),
    "not_in": gettext_lazy("is none of"),
    "is": gettext_lazy("is"),
    "is_not": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "starts_with": gettext_lazy("starts with"),
    "is_empty": gettext_lazy("is empty"),
    "is_not_empty": gettext_lazy("is not empty"),
    "between": gettext_lazy("is between"),
    "gte": gettext_lazy("is at least"),
    "lte": gettext_lazy("is at most"),
    "eq": gettext_lazy("equals"),
    "before": gettext_lazy("is before"),
    "after": gettext_lazy("is after"),
    "within_days": gettext_lazy("is within the last … days"),
    "older_than_days": gettext_lazy("is more than … days ago"),
    "is_true": gettext_lazy("yes"),
    "is_false": gettext_lazy("no"),
    "within": gettext_lazy("happened within"),
    "not_within": gettext_lazy("did not happen within"),
    "at_least_days": gettext_lazy("for at least … days"),
}
NO_VALUE = {"is_empty", "is_not_empty", "is_true", "is_false"}
VALUE_KINDS = (
    "choice",
    "text",
    "number",
    "date",
    "bool",
    "ids",
    "id",
    "channel_days",
    "count_days",
    "days",
)


class RuleError(ValueError):
    """One rule is wrong. `stale`: it was valid once but what it names is gone (a deleted
    custom field, tag or segment, an unregistered key): a stored segment is flagged."""

    def __init__(self, message: str, *, stale: bool = False):
        super().__init__(message)
        self.message = message
        self.stale = stale


class RulesInvalid(ValueError):
    """A rule tree is wrong: `errors` maps a rule's path ("" for the tree itself, "0",
    "1.2") to its message; `stale` is True when every error is a stale one."""

    def __init__(self, errors: dict[str, str], *, stale: bool):
        super().__init__("; ".join(f"{k or 'rules'}: {v}" for k, v in errors.items()))
        self.errors = errors
        self.stale = stale


@dataclass(frozen=True)
class SegmentRule:
    key: str
    label: str
    group: str
    operators: tuple[str, ...]
    value_kind: str
    q_builder: Callable  # (workspace, operator, value) -> Q on Contact
    choices: object = None  # [(value, label)] or callable(workspace) -> [(value, label)]
    order: int = 100
    unit: str = ""  # shown after number inputs ("years")
    stale_message: Callable | None = None  # (workspace, value) -> str | None
    number_limit: int = MAX_NUMBER

    def __post_init__(self):
        unknown = [op for op in self.operators if op not in OPERATORS]
        if unknown or self.value_kind not in VALUE_KINDS:
            raise ValueError(f"segment rule {self.key!r}: unknown operator or value kind")


_rules: Registry[SegmentRule] = Registry("segment rules")


def register_segment_rule(rule: SegmentRule) -> None:
    """Add a rule (ValueError for a key registered before or an unknown operator/kind)."""
    if rule.key.startswith("custom."):
        raise ValueError("segment rule keys starting with 'custom.' are the custom fields")
    _rules.register(rule)


class RuleContext:
    """The rules of one workspace, with the choices and custom fields read once (one check of
    a tree reads each source at most once)."""

    def __init__(self, workspace):
        self.workspace = workspace
        self._choices: dict[str, list] = {}
        self._custom: dict[str, SegmentRule] | None = None

    def custom_rules(self) -> dict[str, SegmentRule]:
        if self._custom is None:
            fields = CustomField.objects.filter(
                workspace=self.workspace, entity=CustomFieldEntity.CONTACT
            )
            self._custom = {f"custom.{f.key}": _custom_rule(f) for f in fields}
        return self._custom

    def rule(self, key: str) -> SegmentRule | None:
        if isinstance(key, str) and key.startswith("custom."):
            return self.custom_rules().get(key)
        return next((r for r in _rules if r.key == key), None)

    def rules(self) -> list[SegmentRule]:
        """Every rule the builder offers in this workspace, built-in first, in `order`."""
        return [*_rules, *self.custom_rules().values()]

    def choices(self, rule: SegmentRule) -> list[tuple]:
        if rule.key not in self._choices:
            source = rule.choices
            items = source(self.workspace) if callable(source) else source or []
            self._choices[rule.key] = [(v, str(label)) for v, label in items]
        return self._choices[rule.key]


# --- checking values ------------------------------------------------------------------------


def _int(value, *, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or value is None or value == "":
        raise RuleError(_("Enter %(what)s.") % {"what": what})
    if len(str(value)) > 20:  # before int(): a 4,000-digit text costs time to convert
        raise RuleError(_("“%(value)s…” is too large.") % {"value": str(value)[:20]})
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise RuleError(
            _("“%(value)s” is not a whole number.") % {"value": str(value)[:40]}
        ) from None
    if not low <= number <= high:
        raise RuleError(
            _("%(what)s must be between %(low)s and %(high)s.")
            % {"what": what.capitalize(), "low": low, "high": high}
        )
    return number


def _date(value) -> datetime.date:
    if not isinstance(value, str) or len(value) > 10:
        raise RuleError(_("Enter a date as YYYY-MM-DD."))
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise RuleError(
            _("“%(value)s” is not a date (use YYYY-MM-DD).") % {"value": value}
        ) from None


def _pair(value, convert):
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise RuleError(_("Enter both ends of the range."))
    low, high = convert(value[0]), convert(value[1])
    if low > high:
        raise RuleError(_("The range's start is after its end."))
    return [low, high]


def _text(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RuleError(_("Enter a text."))
    if len(value) > MAX_TEXT:
        raise RuleError(_("Use at most %(n)s characters.") % {"n": MAX_TEXT})
    return value.strip()


def _choice_list(ctx, rule, value, *, as_int: bool) -> list:
    if not isinstance(value, list | tuple):
        value = [value]
    if not value:
        raise RuleError(_("Choose at least one value."))
    if len(value) > MAX_LIST:
        raise RuleError(_("Choose at most %(n)s values.") % {"n": MAX_LIST})
    allowed = {str(v): v for v, _label in ctx.choices(rule)}
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise RuleError(_("“%(value)s” is not one of the choices.") % {"value": str(item)[:40]})
        if str(item) not in allowed:
            # an id that was offered once (a deleted tag, a removed member): stale
            message = (
                _("“%(value)s” is no longer one of the choices.")
                if as_int
                else _("“%(value)s” is not one of the choices.")
            )
            raise RuleError(message % {"value": str(item)[:40]}, stale=as_int)
        out.append(allowed[str(item)])
    return list(dict.fromkeys(out))


def value_empty(value) -> bool:
    """True for a value nobody has entered yet: None, a blank text, an empty list, or a list
    or dict (channel/days, count/[min, max]/days) whose every part is one of those. Looks two
    levels down at most (no recursion on posted JSON)."""

    def blank(v):
        return v is None or (isinstance(v, str) and not v.strip()) or v in ([], {})

    def parts(v):
        if isinstance(v, dict):
            return list(v.values())[:4]
        return list(v[:MAX_LIST]) if isinstance(v, list | tuple) else [v]

    return all(blank(inner) for outer in parts(value) for inner in parts(outer))


def value_clean(ctx: RuleContext, rule: SegmentRule, operator, value):
    """`value` of a rule checked against its kind and operator; raises RuleError ("Choose a
    value." when none is entered)."""
    if operator not in rule.operators:
        raise RuleError(_("“%(op)s” is not an operator of this rule.") % {"op": str(operator)[:40]})
    if operator in NO_VALUE:
        return None
    if value_empty(value):
        raise RuleError(_("Choose a value."))
    kind = rule.value_kind
    if kind == "choice":
        return [str(v) for v in _choice_list(ctx, rule, value, as_int=False)]
    if kind == "ids":
        return _choice_list(ctx, rule, value, as_int=True)
    if kind == "id":
        if isinstance(value, list):
            raise RuleError(_("Choose one value."))
        return _choice_list(ctx, rule, [value], as_int=True)[0]
    if kind == "text":
        return _text(value)
    if kind == "number":
        limit = rule.number_limit
        low = 0 if limit == MAX_AGE else -limit
        number = lambda v: _int(v, low=low, high=limit, what=_("a number"))  # noqa: E731
        return _pair(value, number) if operator == "between" else number(value)
    if kind == "date":
        if operator in ("within_days", "older_than_days"):
            return _int(value, low=0, high=MAX_DAYS, what=_("a number of days"))
        return _pair(value, _date) if operator == "between" else _date(value)
    if kind == "days":
        return _int(value, low=1, high=MAX_DAYS, what=_("a number of days"))
    if kind == "channel_days":
        if not isinstance(value, dict):
            raise RuleError(_("Choose a channel and a number of days."))
        channel = _choice_list(ctx, rule, [value.get("channel")], as_int=False)[0]
        days = _int(value.get("days"), low=1, high=MAX_DAYS, what=_("a number of days"))
        return {"channel": channel, "days": days}
    if kind == "count_days":
        if not isinstance(value, dict):
            raise RuleError(_("Enter a number of interactions and a number of days."))
        count = lambda v: _int(v, low=0, high=1_000_000, what=_("a number of interactions"))  # noqa: E731
        raw = value.get("count")
        counted = _pair(raw, count) if operator == "between" else count(raw)
        days = _int(value.get("days"), low=1, high=MAX_DAYS, what=_("a number of days"))
        return {"count": counted, "days": days}
    raise RuleError(
        _("This rule cannot be checked.")
    )  # pragma: no cover (kinds checked at registration)


def rule_clean(ctx: RuleContext, node) -> tuple[SegmentRule, str, object]:
    """One rule dict checked: (rule, operator, value); raises RuleError."""
    if not isinstance(node, dict):
        raise RuleError(_("A rule must be an object with field, operator and value."))
    key = node.get("field")
    rule = ctx.rule(key) if isinstance(key, str) else None
    if rule is None:
        if isinstance(key, str) and key:
            raise RuleError(
                _("The field “%(key)s” no longer exists.") % {"key": key[:60]}, stale=True
            )
        raise RuleError(_("Choose a field."))
    operator = node.get("operator")
    value = value_clean(ctx, rule, operator, node.get("value"))
    if rule.stale_message is not None:
        message = rule.stale_message(ctx.workspace, value)
        if message:
            raise RuleError(message, stale=True)
    return rule, operator, value


def _stored(value):
    """A checked value as JSON keeps it (dates as ISO strings)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_stored(v) for v in value]
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    return value


def tree_shape_error(tree) -> str:
    """ "" when `tree` nests groups at most MAX_DEPTH levels deep (the root is level 1) and
    holds at most MAX_RULES rules plus MAX_RULES groups; otherwise the message saying which
    limit it passes. Iterative (an explicit stack, no recursion), and it stops at the first
    node past a limit, so a hostile tree nested thousands deep costs O(MAX_RULES) steps. Run
    it on untrusted trees before anything walks them recursively (the builder's view, _walk).
    """
    if not isinstance(tree, dict):
        return ""
    stack = [(tree, 1)]
    rules = groups = 0
    while stack:
        node, depth = stack.pop()
        children = node.get("rules")
        if not isinstance(children, list):
            continue
        for child in children:
            if isinstance(child, dict) and "rules" in child:
                groups += 1
                if depth + 1 > MAX_DEPTH:
                    return _("Groups nest at most %(n)s levels deep.") % {"n": MAX_DEPTH}
                if groups > MAX_RULES:
                    return _("A segment holds at most %(n)s groups.") % {"n": MAX_RULES}
                stack.append((child, depth + 1))
            else:
                rules += 1
                if rules > MAX_RULES:
                    return _("A segment holds at most %(n)s rules.") % {"n": MAX_RULES}
    return ""


def _walk(ctx, node, path: str, depth: int, errors: dict, counter: list, out: list | None = None):
    """The Q of a group (errors collected by path); with `out` (a list) the checked group,
    values cleaned, is appended to it."""
    if not isinstance(node, dict) or node.get("op") not in ("and", "or"):
        errors[path] = _("A group needs “op” (and/or) and a list of “rules”.")
        return Q()
    children = node.get("rules")
    if not isinstance(children, list):
        errors[path] = _("A group needs “op” (and/or) and a list of “rules”.")
        return Q()
    parts = []
    cleaned = {"op": node["op"], "rules": []}
    if out is not None:
        out.append(cleaned)
    for index, child in enumerate(children):
        child_path = f"{path}.{index}" if path else str(index)
        if isinstance(child, dict) and "rules" in child:
            if depth + 1 >= MAX_DEPTH:
                errors[child_path] = _("Groups nest at most %(n)s levels deep.") % {"n": MAX_DEPTH}
                continue
            parts.append(
                _walk(ctx, child, child_path, depth + 1, errors, counter, cleaned["rules"])
            )
            continue
        counter[0] += 1
        if counter[0] > MAX_RULES:
            errors[child_path] = _("A segment holds at most %(n)s rules.") % {"n": MAX_RULES}
            continue
        try:
            rule, operator, value = rule_clean(ctx, child)
        except RuleError as exc:
            errors[child_path] = exc.message
            if exc.stale:
                errors.setdefault("__stale__", set()).add(child_path)
            continue
        parts.append(rule.q_builder(ctx.workspace, operator, value))
        stored = {"field": rule.key, "operator": operator}
        if operator not in NO_VALUE:
            stored["value"] = _stored(value)
        cleaned["rules"].append(stored)
    combined = Q()
    for part in parts:
        if not part:
            continue
        combined = (combined | part) if (node["op"] == "or" and combined) else (combined & part)
    return combined


def rules_compile(workspace, tree, *, ctx: RuleContext | None = None) -> Q:
    """The Q on Contact that `tree` (see the module docstring) stands for, checked.

    Raises RulesInvalid with a message per bad rule path. Reads the workspace's custom fields
    and each used rule's choices once; builds no SQL by hand."""
    ctx = ctx or RuleContext(workspace)
    if tree in (None, {}):  # a segment saved before it had rules: every contact
        return Q()
    errors: dict = {}
    q = _walk(ctx, tree, "", 0, errors, [0])
    stale_paths = errors.pop("__stale__", set())
    if errors:
        raise RulesInvalid(errors, stale=set(errors) == stale_paths)
    return q


def rules_clean(workspace, tree, *, ctx: RuleContext | None = None) -> dict:
    """`tree` checked (RulesInvalid as rules_compile raises it) with every value in its
    stored form: numbers as ints, dates as ISO strings, choices as the choices' values, rules
    without a value kept without one. What segments store."""
    ctx = ctx or RuleContext(workspace)
    if tree in (None, {}):
        return {"op": "and", "rules": []}
    errors: dict = {}
    out: list = []
    _walk(ctx, tree, "", 0, errors, [0], out)
    stale_paths = errors.pop("__stale__", set())
    if errors:
        raise RulesInvalid(errors, stale=set(errors) == stale_paths)
    return out[0]


def rules_referenced(tree, key: str) -> list:
    """The values of every rule with field `key` in `tree` (unchecked), e.g. the segment ids a
    tree's "member of segment" rules name."""
    found = []
    if isinstance(tree, dict):
        if "rules" in tree and isinstance(tree["rules"], list):
            for child in tree["rules"]:
                found.extend(rules_referenced(child, key))
        elif tree.get("field") == key:
            found.append(tree.get("value"))
    return found


# --- custom fields --------------------------------------------------------------------------


def _custom_rule(field: CustomField) -> SegmentRule:
    """The rule of one custom contact field ("custom.<key>"), typed by the field."""
    path = f"custom__{field.key}"
    kind = field.field_type
    group = _("Custom fields")

    def empty(operator):
        present = Q(**{f"{path}__isnull": False}) & ~Q(**{path: ""})
        return ~present if operator == "is_empty" else present

    def build(workspace, operator, value):
        if operator in ("is_empty", "is_not_empty"):
            return empty(operator)
        if kind == CustomFieldType.BOOLEAN:
            return Q(**{path: operator == "is_true"})
        if operator == "in":
            return Q(**{f"{path}__in": value})
        if operator == "not_in":
            return ~Q(**{f"{path}__in": value}) | Q(**{f"{path}__isnull": True})
        if operator == "between":
            low, high = (v.isoformat() if isinstance(v, datetime.date) else v for v in value)
            return Q(**{f"{path}__gte": low, f"{path}__lte": high})
        if isinstance(value, datetime.date):
            value = value.isoformat()
        lookups = {
            "is": "iexact",
            "contains": "icontains",
            "starts_with": "istartswith",
            "gte": "gte",
            "lte": "lte",
            "eq": "exact",
            "before": "lt",
            "after": "gt",
        }
        if operator == "is_not":
            return ~Q(**{f"{path}__iexact": value})
        return Q(**{f"{path}__{lookups[operator]}": value})

    if kind == CustomFieldType.NUMBER:
        operators, value_kind = (
            ("between", "gte", "lte", "eq", "is_empty", "is_not_empty"),
            "number",
        )
    elif kind == CustomFieldType.DATE:
        operators, value_kind = ("before", "after", "between", "is_empty", "is_not_empty"), "date"
    elif kind == CustomFieldType.CHOICE:
        operators, value_kind = ("in", "not_in", "is_empty", "is_not_empty"), "choice"
    elif kind == CustomFieldType.BOOLEAN:
        operators, value_kind = ("is_true", "is_false"), "bool"
    else:
        operators = ("is", "is_not", "contains", "starts_with", "is_empty", "is_not_empty")
        value_kind = "text"
    return SegmentRule(
        key=f"custom.{field.key}",
        label=field.label,
        group=group,
        operators=operators,
        value_kind=value_kind,
        q_builder=build,
        choices=[(c, c) for c in choice_values(field)] if kind == CustomFieldType.CHOICE else None,
        order=900 + field.position,
    )
