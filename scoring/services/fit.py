"""Field rules: which contacts match each rule's conditions (a segment rule tree compiled by
contacts.segment_rules), kept as one contribution per (rule, contact) while it matches.

Re-evaluated for every contact when rules change (the refresh), and for the contacts whose
record changed, read from the change log by cursor (`contacts.contact` events, and
`contacts.account` events for the account's contacts)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact
from contacts.segment_rules import RuleContext, RulesInvalid, rules_compile
from workspaces.changelog import change_events_after

from ..models import Contribution, RuleKind, ScoringCursor, ScoringRule

CHANGE_BATCH = 5000  # change events read per step
CONTACT_BATCH = 2000  # contacts checked per query of a rule


def active_field_rules(workspace) -> list:
    """The workspace's active field rules (one query)."""
    return list(ScoringRule.objects.filter(workspace=workspace, kind=RuleKind.FIELD, active=True))


def _reason(rule: ScoringRule, ctx: RuleContext) -> str:
    labels = []
    stack = [rule.conditions]
    while stack:
        node = stack.pop(0)
        for child in node.get("rules", []) if isinstance(node, dict) else []:
            if isinstance(child, dict) and "rules" in child:
                stack.append(child)
            else:
                found = ctx.rule(child.get("field"))
                label = str(found.label) if found else str(child.get("field"))
                if label not in labels:
                    labels.append(label)
    return (_("Matches on %(fields)s") % {"fields": ", ".join(labels)})[:300]


def fit_evaluate(*, workspace, rules: list, contact_ids=None) -> set:
    """Bring the field rules' contributions in line with who matches now: a contribution for
    every matching contact that has none, none for those that stopped matching, and the
    rule's current points and category on the others. `contact_ids` None checks every
    contact of the workspace (and drops contributions of rules no longer active or gone).
    A rule whose conditions became invalid (a deleted custom field) gives no points. Returns
    the ids of the contacts whose contributions changed."""
    now = timezone.now()
    ctx = RuleContext(workspace)
    touched: set = set()
    if contact_ids is None:
        stale = Contribution.objects.filter(workspace=workspace, interaction__isnull=True).exclude(
            rule__in=[r.pk for r in rules]
        )
        touched |= set(stale.values_list("contact_id", flat=True))
        stale.delete()
    for rule in rules:
        try:
            q = rules_compile(workspace, rule.conditions, ctx=ctx)
        except RulesInvalid:
            q = None
        touched |= _sync_rule(workspace, rule, q, contact_ids, now, ctx)
    return touched


def _sync_rule(workspace, rule, q, contact_ids, now, ctx) -> set:
    contacts = Contact.objects.filter(workspace=workspace)
    existing_rows = Contribution.objects.filter(
        workspace=workspace, rule=rule, interaction__isnull=True
    )
    if contact_ids is not None:
        contacts = contacts.filter(pk__in=contact_ids)
        existing_rows = existing_rows.filter(contact_id__in=contact_ids)
    matching = set() if q is None else set(contacts.filter(q).values_list("pk", flat=True))
    existing = {
        c: (pk, points, cat)
        for pk, c, points, cat in existing_rows.values_list(
            "pk", "contact_id", "points", "category"
        )
    }
    gone = [existing[c][0] for c in set(existing) - matching]
    if gone:
        Contribution.objects.filter(workspace=workspace, pk__in=gone).delete()
    reason = _reason(rule, ctx)
    new = [
        Contribution(
            workspace=workspace,
            contact_id=contact_id,
            rule=rule,
            category=rule.category,
            points=rule.points,
            reason=reason,
            occurred_at=now,
        )
        for contact_id in sorted(matching - set(existing))
    ]
    Contribution.objects.bulk_create(new, batch_size=CONTACT_BATCH, ignore_conflicts=True)
    changed = [
        c
        for c, (_pk, points, cat) in existing.items()
        if c in matching and (points != rule.points or cat != rule.category)
    ]
    if changed:
        Contribution.objects.filter(
            workspace=workspace, rule=rule, interaction__isnull=True, contact_id__in=changed
        ).update(points=rule.points, category=rule.category, reason=reason)
    return (set(existing) - matching) | (matching - set(existing)) | set(changed)


def changed_contacts_consume(*, workspace, cursor: ScoringCursor) -> set:
    """The ids of contacts whose record (or account) changed since `cursor.change_seq`, read
    from the change log in steps of CHANGE_BATCH; the cursor moves past every event read
    (the caller holds its lock and saves it)."""
    contact_ids: set = set()
    account_ids: set = set()
    while True:
        events = change_events_after(
            workspace=workspace, after_seq=cursor.change_seq, limit=CHANGE_BATCH
        )
        for event in events:
            if event.model == "contacts.contact" and event.action != "deleted":
                contact_ids.add(event.object_id)
            elif event.model == "contacts.account" and event.action != "deleted":
                account_ids.add(event.object_id)
        if events:
            cursor.change_seq = events[-1].seq
        if len(events) < CHANGE_BATCH:
            break
    if account_ids:
        contact_ids |= set(
            Contact.objects.filter(workspace=workspace, account_id__in=account_ids).values_list(
                "pk", flat=True
            )
        )
    return contact_ids
