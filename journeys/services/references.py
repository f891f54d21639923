"""What a step's params point at (StepType.references) and whether it still exists."""

from collections import defaultdict

from django.apps import apps


def references_missing(*, workspace, step_type, params: dict) -> list[str]:
    """The references of a step (or trigger) type's `params` ("<verbose name> #pk") whose
    row is gone from `workspace`; [] when the type declares none. One query per model."""
    if step_type is None or step_type.references is None:
        return []
    wanted: dict[str, set[int]] = defaultdict(set)
    for label, pk in step_type.references(params or {}) or []:
        if pk is not None:
            wanted[label].add(int(pk))
    missing = []
    for label, pks in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            missing += [f"{label} #{pk}" for pk in sorted(pks)]
            continue
        rows = model._base_manager.filter(pk__in=pks)
        if any(f.name == "workspace" for f in model._meta.concrete_fields):
            rows = rows.filter(workspace_id=workspace.pk)
        found = set(rows.values_list("pk", flat=True))
        name = model._meta.verbose_name
        missing += [f"{name} #{pk}" for pk in sorted(pks - found)]
    return missing
