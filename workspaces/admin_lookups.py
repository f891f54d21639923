"""Admin changelists filter only on what they list in `list_filter` (and `date_hierarchy`).

Django's admin accepts any lookup on a model's own fields from the URL, including fields it
never shows: `?token__startswith=a` on the calendar feeds recovered a member's secret feed
token one character at a time, `?password__startswith=` a password hash. With this mixin a
URL lookup must be one of the listed filters, followed only by lookups and transforms of
that field (`role__exact`, `owner__id__exact`, `created_at__gte`), never by a step into
another field (`owner__password__startswith` is refused). Anything else is answered 400
(Django's DisallowedModelAdminLookup).
"""

from django.contrib.admin import widgets
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models.constants import LOOKUP_SEP


def _is_lookup_of(field, parts: list[str]) -> bool:
    """Whether `parts` are only lookups/transforms of `field` (for a relation: its target
    column and that column's lookups), never a path into another field."""
    if not parts:
        return True
    if field.is_relation:
        target = field.target_field
        if parts[0] in {target.name, target.attname, "pk"}:
            return _is_lookup_of(target, parts[1:])
        return len(parts) == 1 and field.get_lookup(parts[0]) is not None
    for part in parts:
        if field.get_lookup(part) is None and field.get_transform(part) is None:
            return False
    return True


class ListedLookupsOnlyMixin:
    """For every ModelAdmin: URL filters only through the listed filters."""

    def _listed_filters(self, request) -> tuple[set[str], set[str]]:
        """(field paths, exact parameter names) the changelist offers as filters."""
        paths, names = set(), set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                names.add(item.parameter_name)
            elif isinstance(item, (list, tuple)):
                paths.add(item[0])
            elif isinstance(item, str):
                paths.add(item)
        if self.date_hierarchy:
            paths.add(self.date_hierarchy)
        return paths, names

    def lookup_allowed(self, lookup, value, request):
        if self._raw_id_popup_lookup(lookup, value):
            return True
        paths, names = self._listed_filters(request)
        if lookup in names:
            return True
        for path in paths:
            if lookup != path and not lookup.startswith(path + LOOKUP_SEP):
                continue
            try:
                field = get_fields_from_path(self.model, path)[-1]
            except (FieldDoesNotExist, NotRelationField):
                continue
            rest = lookup[len(path) :].split(LOOKUP_SEP)[1:]
            if _is_lookup_of(field, rest):
                return super().lookup_allowed(lookup, value, request)
        return False

    def _raw_id_popup_lookup(self, lookup, value) -> bool:
        """The limit_choices_to lookups of raw-id popups (as Django's own check allows)."""
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in widgets.url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False
