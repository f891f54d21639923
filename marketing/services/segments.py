"""Writes of segments: create and change (rules checked, cycles refused), build (store a
dynamic segment's membership), flag (a rule that names something gone), and the members of
static lists (by hand, from a segment's snapshot, from a CSV of email addresses).

Every function takes the workspace explicitly, runs in one transaction and records the
change log (workspaces.changelog): one event per segment write; manual member changes one
event per member row; a build or a snapshot one `updated` event on the segment with the
numbers (derived rows, rebuilt at will, are not logged one by one).
"""

import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.emails import email_key
from contacts.imports.reading import detect_delimiter, file_encoding, iter_rows
from contacts.models import Contact
from contacts.segment_rules import RuleContext, RulesInvalid, rules_compile, rules_referenced
from workspaces.changelog import ChangeAction, change_record, change_record_many, delete_recorded

from ..models import Segment, SegmentMember
from ..segment_rules import MEMBER_RULE_KEY
from ..selectors.segments import SegmentProblem, problem_text, segment_contacts

BUILD_BATCH = 5_000  # member rows written per INSERT while building
IMPORT_BATCH = 1_000  # addresses looked up per query while importing
IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_MAX_ROWS = 200_000
UNMATCHED_SHOWN = 50  # unmatched addresses listed in the import's report
MANUAL_MAX = 1_000  # contacts added or removed by hand in one go
RULES_MAX_BYTES = 64 * 1024  # a posted rule tree's JSON


def _rules_errors(workspace, rules, *, segment_pk=None) -> dict:
    """{path: message} for a rule tree (empty when it is fine), cycles included."""
    try:
        rules_compile(workspace, rules, ctx=RuleContext(workspace))
    except RulesInvalid as exc:
        return exc.errors
    cycle = segment_cycle_check(workspace=workspace, rules=rules, segment_pk=segment_pk)
    return {"": cycle} if cycle else {}


def segment_cycle_check(*, workspace, rules, segment_pk) -> str:
    """ "" when `rules` (for the segment `segment_pk`, None for a new one) name no chain of
    "member of segment" rules that comes back to it, else the message saying which. Reads
    the workspace's segments' rules once."""
    if segment_pk is None:
        return ""
    graph = {
        pk: [v for v in rules_referenced(tree, MEMBER_RULE_KEY) if isinstance(v, int)]
        for pk, tree in Segment.objects.filter(workspace=workspace, kind="dynamic").values_list(
            "pk", "rules"
        )
    }
    graph[segment_pk] = [v for v in rules_referenced(rules, MEMBER_RULE_KEY) if isinstance(v, int)]
    names = dict(Segment.objects.filter(workspace=workspace).values_list("pk", "name"))
    stack, seen = [(segment_pk, [segment_pk])], set()
    while stack:
        node, trail = stack.pop()
        for nxt in graph.get(node, []):
            if nxt == segment_pk:
                chain = " → ".join(names.get(pk, str(pk)) for pk in [*trail, nxt])
                return _("These rules would make the segment contain itself: %(chain)s.") % {
                    "chain": chain
                }
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*trail, nxt]))
    return ""


def _checked(workspace, *, name, kind, rules, segment_pk=None) -> dict:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the segment a name.")
    elif len(name) > 200:
        errors["name"] = _("Use at most 200 characters.")
    if kind not in ("dynamic", "static"):
        errors["kind"] = _("Choose dynamic or static.")
    if kind == "dynamic":
        rule_errors = _rules_errors(workspace, rules, segment_pk=segment_pk)
        errors.update({f"rules:{path}": message for path, message in rule_errors.items()})
    if errors:
        raise ValidationError(errors)
    return {"name": name}


@transaction.atomic
def segment_create(
    *, workspace, actor, name, description="", kind="dynamic", rules=None
) -> Segment:
    """A new segment. Rules are checked (ValidationError keyed "rules:<path>" per bad rule,
    "name", "kind"); nothing is stored when anything is wrong. Static lists keep no rules."""
    rules = rules if kind == "dynamic" else {"op": "and", "rules": []}
    rules = rules or {"op": "and", "rules": []}
    checked = _checked(workspace, name=name, kind=kind, rules=rules)
    segment = Segment(
        workspace=workspace,
        name=checked["name"],
        description=(description or "").strip(),
        kind=kind,
        rules=rules,
        created_by=actor,
        problem="",
    )
    segment.full_clean()
    segment.save()
    change_record(workspace=workspace, actor=actor, instance=segment, action=ChangeAction.CREATED)
    return segment


@transaction.atomic
def segment_update(*, workspace, actor, segment, name, description="", rules=None) -> Segment:
    """Change a segment's name, description and (dynamic) rules, checked as segment_create
    does, cycles through "member of segment" rules refused. Clears the segment's flag."""
    segment = Segment.objects.select_for_update().get(workspace=workspace, pk=segment.pk)
    rules = rules if segment.kind == "dynamic" else segment.rules
    checked = _checked(workspace, name=name, kind=segment.kind, rules=rules, segment_pk=segment.pk)
    changed = []
    for field, value in (
        ("name", checked["name"]),
        ("description", (description or "").strip()),
        ("rules", rules),
        ("problem", ""),
    ):
        if getattr(segment, field) != value:
            setattr(segment, field, value)
            changed.append(field)
    if changed:
        segment.full_clean()
        segment.save(update_fields=[*changed, "updated_at"])
        change_record(
            workspace=workspace,
            actor=actor,
            instance=segment,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return segment


@transaction.atomic
def segment_delete(*, workspace, actor, segment) -> None:
    """Delete a segment and its stored members (tombstones recorded). Segments whose rules
    named it are flagged the next time they are checked."""
    segment = Segment.objects.get(workspace=workspace, pk=segment.pk)
    delete_recorded(workspace=workspace, actor=actor, objs=segment)


def segment_flag(*, segment, problem: str) -> Segment:
    """Store why `segment` cannot be evaluated ("" clears the flag); a no-op when unchanged.
    Not a change of the marketer's record: not in the change log."""
    problem = problem[:1000]
    if segment.problem != problem:
        Segment.objects.filter(workspace=segment.workspace_id, pk=segment.pk).update(
            problem=problem
        )
        segment.problem = problem
    return segment


def segments_check(*, workspace, segments) -> list:
    """Re-check the rules of `segments` (dynamic ones) and store each one's flag: a rule
    whose field, tag, member or segment is gone flags its segment; fixed ones are cleared.
    Reads the custom fields and each rule's choices once for all. Returns the segments."""
    ctx = RuleContext(workspace)
    for segment in segments:
        problem = ""
        if segment.kind == "dynamic":
            try:
                rules_compile(workspace, segment.rules, ctx=ctx)
            except RulesInvalid as exc:
                problem = problem_text(exc.errors)
        segment_flag(segment=segment, problem=problem)
    return list(segments)


def segment_build(*, workspace, actor, segment) -> dict:
    """Store a dynamic segment's current membership (SegmentMember rows with source "build"):
    members that no longer match are removed, new matches added in batches of BUILD_BATCH
    (memory bounded), then member_count and last_built_at are set. A static list is only
    counted. Raises SegmentProblem (and flags the segment, storing nothing else) when its
    rules name something gone. Returns {"added", "removed", "count"}. Idempotent."""
    segment = Segment.objects.get(workspace=workspace, pk=segment.pk)
    try:
        contacts = segment_contacts(segment)
    except SegmentProblem as exc:
        segment_flag(segment=segment, problem=exc.message)
        raise
    added = removed = 0
    now = timezone.now()
    with transaction.atomic():
        Segment.objects.select_for_update().filter(pk=segment.pk).first()  # one build at a time
        if segment.kind == "dynamic":
            removed, _detail = (
                SegmentMember.objects.filter(workspace=workspace, segment=segment)
                .exclude(contact__in=contacts.values("pk"))
                .delete()
            )
            existing = SegmentMember.objects.filter(
                workspace=workspace, segment=segment, contact=OuterRef("pk")
            )
            new_ids = contacts.exclude(Exists(existing)).values_list("pk", flat=True)
            batch = []
            for contact_id in new_ids.iterator(chunk_size=BUILD_BATCH):
                batch.append(contact_id)
                if len(batch) >= BUILD_BATCH:
                    added += _members_insert(workspace, segment, batch, "build", now)
                    batch = []
            if batch:
                added += _members_insert(workspace, segment, batch, "build", now)
        count = SegmentMember.objects.filter(workspace=workspace, segment=segment).count()
        Segment.objects.filter(pk=segment.pk).update(
            member_count=count, last_built_at=now, problem=""
        )
        change_record(
            workspace=workspace,
            actor=actor,
            instance=segment,
            action=ChangeAction.UPDATED,
            fields=["member_count", "last_built_at"],
            data={"built": {"added": added, "removed": removed, "count": count}},
        )
    segment.member_count, segment.last_built_at, segment.problem = count, now, ""
    return {"added": added, "removed": removed, "count": count}


def _members_insert(workspace, segment, contact_ids, source, now) -> int:
    rows = [
        SegmentMember(
            workspace=workspace, segment=segment, contact_id=cid, source=source, added_at=now
        )
        for cid in contact_ids
    ]
    SegmentMember.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _require_static(segment):
    if segment.kind != "static":
        raise ValidationError(
            _("Only static lists take members by hand; a dynamic segment follows its rules.")
        )


def _recount(workspace, segment):
    count = SegmentMember.objects.filter(workspace=workspace, segment=segment).count()
    Segment.objects.filter(pk=segment.pk).update(member_count=count)
    segment.member_count = count
    return count


@transaction.atomic
def segment_members_add(*, workspace, actor, segment, contact_ids) -> int:
    """Add contacts (ids of this workspace; others are ignored) to a static list by hand.
    Returns how many were new. ValidationError for a dynamic segment or more than
    MANUAL_MAX ids."""
    _require_static(segment)
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    if len(ids) > MANUAL_MAX:
        raise ValidationError(_("Add at most %(n)s contacts at a time.") % {"n": MANUAL_MAX})
    present = set(
        SegmentMember.objects.filter(
            workspace=workspace, segment=segment, contact_id__in=ids
        ).values_list("contact_id", flat=True)
    )
    valid = [
        pk
        for pk in Contact.objects.filter(workspace=workspace, pk__in=ids).values_list(
            "pk", flat=True
        )
        if pk not in present
    ]
    now = timezone.now()
    SegmentMember.objects.bulk_create(
        [
            SegmentMember(
                workspace=workspace, segment=segment, contact_id=pk, source="manual", added_at=now
            )
            for pk in valid
        ],
        ignore_conflicts=True,
    )
    created = SegmentMember.objects.filter(
        workspace=workspace, segment=segment, contact_id__in=valid
    ).values_list("pk", flat=True)
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=SegmentMember,
        object_ids=list(created),
        action=ChangeAction.CREATED,
    )
    _recount(workspace, segment)
    return len(valid)


@transaction.atomic
def segment_members_remove(*, workspace, actor, segment, contact_ids) -> int:
    """Remove contacts from a static list (tombstones recorded). Returns how many."""
    _require_static(segment)
    ids = [int(i) for i in contact_ids][:MANUAL_MAX]
    rows = SegmentMember.objects.filter(workspace=workspace, segment=segment, contact_id__in=ids)
    count = delete_recorded(workspace=workspace, actor=actor, objs=rows)
    _recount(workspace, segment)
    return count


@transaction.atomic
def segment_fill_from_snapshot(*, workspace, actor, segment, source) -> int:
    """Add everyone `source` (a segment of this workspace) holds now to the static list
    `segment` (source "snapshot"); later changes to `source` do not follow. Raises
    SegmentProblem when `source` is flagged. Returns how many were new."""
    _require_static(segment)
    source = Segment.objects.get(workspace=workspace, pk=source.pk)
    contacts = segment_contacts(source)
    existing = SegmentMember.objects.filter(
        workspace=workspace, segment=segment, contact=OuterRef("pk")
    )
    added, batch, now = 0, [], timezone.now()
    for contact_id in (
        contacts.exclude(Exists(existing))
        .values_list("pk", flat=True)
        .iterator(chunk_size=BUILD_BATCH)
    ):
        batch.append(contact_id)
        if len(batch) >= BUILD_BATCH:
            added += _members_insert(workspace, segment, batch, "snapshot", now)
            batch = []
    if batch:
        added += _members_insert(workspace, segment, batch, "snapshot", now)
    count = _recount(workspace, segment)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=segment,
        action=ChangeAction.UPDATED,
        fields=["member_count"],
        data={"snapshot": {"source": source.pk, "added": added, "count": count}},
    )
    return added


def _email_cells(fileobj):
    """The email of each row of an uploaded CSV: the column headed "email" (any case) or,
    without such a header, the first cell holding an "@". (line, text) pairs, streamed."""
    encoding = file_encoding(fileobj)
    fileobj.seek(0)
    head = fileobj.read(64 * 1024).decode(encoding, errors="replace")
    fileobj.seek(0)
    delimiter = detect_delimiter(head)
    column = None
    for line, cells in iter_rows(
        fileobj, file_format="csv", encoding=encoding, delimiter=delimiter, skip_header=False
    ):
        if column is None:
            lowered = [c.strip().lower() for c in cells]
            named = [
                i
                for i, c in enumerate(lowered)
                if c in ("email", "e-mail", "email address", "e-mail-adresse")
            ]
            if named:
                column = named[0]
                continue
            column = next((i for i, c in enumerate(cells) if "@" in c), 0)
        yield line, cells[column] if column < len(cells) else ""


def segment_fill_from_csv(*, workspace, actor, segment, upload) -> dict:
    """Add the contacts whose email (or second email) is an address of the uploaded CSV to
    the static list `segment` (source "import"). Addresses are compared by their keys
    (contacts.emails.email_key), looked up IMPORT_BATCH at a time (memory bounded). Returns
    {"rows", "matched", "added", "unmatched": count, "unmatched_sample": [(line, text)]}.
    ValidationError for a dynamic segment, a file over IMPORT_MAX_BYTES or IMPORT_MAX_ROWS
    rows, or a file that is not text; then nothing is added."""
    _require_static(segment)
    if upload.size > IMPORT_MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    raw = io.BytesIO(upload.read())
    report = {"rows": 0, "matched": 0, "added": 0, "unmatched": 0, "unmatched_sample": []}
    with transaction.atomic():
        batch: list[tuple[int, str, str]] = []
        for line, text in _email_cells(raw):
            report["rows"] += 1
            if report["rows"] > IMPORT_MAX_ROWS:
                raise ValidationError(
                    _("The file has more than %(n)s rows.") % {"n": f"{IMPORT_MAX_ROWS:,}"}
                )
            batch.append((line, text, email_key(text)))
            if len(batch) >= IMPORT_BATCH:
                _import_batch(workspace, segment, batch, report)
                batch = []
        if batch:
            _import_batch(workspace, segment, batch, report)
        count = _recount(workspace, segment)
        change_record(
            workspace=workspace,
            actor=actor,
            instance=segment,
            action=ChangeAction.UPDATED,
            fields=["member_count"],
            data={
                "import": {k: v for k, v in report.items() if k != "unmatched_sample"}
                | {"count": count}
            },
        )
    return report


def _import_batch(workspace, segment, batch, report):
    keys = {key for _line, _text, key in batch if key}
    found: dict[str, set[int]] = {}
    for pk, key1, key2 in (
        Contact.objects.filter(workspace=workspace)
        .filter(email_key__in=keys)
        .values_list("pk", "email_key", "email2_key")
        .union(
            Contact.objects.filter(workspace=workspace, email2_key__in=keys).values_list(
                "pk", "email_key", "email2_key"
            )
        )
    ):
        for key in (key1, key2):
            if key in keys:
                found.setdefault(key, set()).add(pk)
    ids = set()
    for line, text, key in batch:
        if key and key in found:
            report["matched"] += 1
            ids |= found[key]
        else:
            report["unmatched"] += 1
            if len(report["unmatched_sample"]) < UNMATCHED_SHOWN:
                report["unmatched_sample"].append((line, text[:200]))
    if ids:
        present = set(
            SegmentMember.objects.filter(
                workspace=workspace, segment=segment, contact_id__in=ids
            ).values_list("contact_id", flat=True)
        )
        new = sorted(ids - present)
        report["added"] += _members_insert(workspace, segment, new, "import", timezone.now())
