"""Touch points from other systems, many at once (POST /api/v1/interactions/bulk/).

Each item names its event (`source_system`, `event_id`) and its contact (`external_id`,
`email` or `phone`); the batch answers item by item: created (with the new id), duplicate
(the event is stored already, or came earlier in the same batch; with the stored id),
unmatched (no contact found) or invalid (with field errors). One bad item never stops the
others. The whole batch costs about ten queries however many items it has: one for stored
events, up to six to match contacts, and touchpoints.services.interactions_record_many
(the contacts' last touch, one sequence take, one INSERT, one read back of the ids)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from touchpoints.services import interaction_build, interactions_record_many

from ..external_kinds import EXTERNAL_APP
from ..selectors.ingestion import contacts_match, interaction_events_stored

MAX_ITEMS = 1000

CREATED = "created"
DUPLICATE = "duplicate"
UNMATCHED = "unmatched"
INVALID = "invalid"


@dataclass
class ItemResult:
    """The answer for one item (`index` in the request)."""

    index: int
    status: str
    id: int | None = None
    errors: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out: dict = {"index": self.index, "status": self.status}
        if self.id is not None:
            out["id"] = self.id
        if self.errors:
            out["errors"] = self.errors
        return out


def _errors_of(exc: ValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


@transaction.atomic
def interactions_ingest(*, workspace, actor, items: list[tuple[int, dict]]) -> list[ItemResult]:
    """Record the touch points of `items`: (index, cleaned item) pairs, each item a dict
    with `source_system`, `event_id`, `occurred_at` (aware datetime), `channel`, `kind`,
    `direction`, `subject`, `body`, `contact` ({external_id, email, phone}, at least one)
    and `data` (dict). Returns one ItemResult per item, in order. Touch points are written
    for the `external` timeline app with `actor` (the API key's creator) as the one who
    recorded them."""
    results: dict[int, ItemResult] = {}
    pairs = [(item["source_system"], item["event_id"]) for _index, item in items]
    stored = interaction_events_stored(workspace=workspace, pairs=pairs)
    contacts = contacts_match(workspace=workspace, refs=[item["contact"] for _index, item in items])
    claimed: dict[tuple[str, str], int] = {}  # pair -> index of the item that records it
    built = []
    for (index, item), pair, contact in zip(items, pairs, contacts, strict=True):
        if pair in stored:
            results[index] = ItemResult(index, DUPLICATE, id=stored[pair])
            continue
        if pair in claimed:
            results[index] = ItemResult(index, DUPLICATE)  # id filled in below
            continue
        if contact is None:
            results[index] = ItemResult(
                index,
                UNMATCHED,
                errors={"contact": [_("No contact has this external id, email or phone.")]},
            )
            continue
        try:
            interaction = interaction_build(
                workspace=workspace,
                kind=item["kind"],
                channel=item["channel"],
                contact=contact,
                actor=actor,
                occurred_at=item["occurred_at"],
                direction=item["direction"],
                app=EXTERNAL_APP,
                subject=item.get("subject", ""),
                body=item.get("body", ""),
                data=item.get("data") or {},
                source_system=pair[0],
                source_event_id=pair[1],
            )
        except LookupError:
            results[index] = ItemResult(
                index, INVALID, errors={"kind": [_("Unknown kind of touch point.")]}
            )
            continue
        except ValidationError as exc:
            results[index] = ItemResult(index, INVALID, errors=_errors_of(exc))
            continue
        claimed[pair] = index
        built.append((index, interaction))
    inserted = interactions_record_many(
        workspace=workspace, interactions=[interaction for _, interaction in built]
    )
    inserted_ids = {id(interaction): interaction.pk for interaction in inserted}
    late = []  # stored by a concurrent request between our check and our INSERT
    for index, interaction in built:
        pk = inserted_ids.get(id(interaction))
        results[index] = ItemResult(index, CREATED if pk else DUPLICATE, id=pk)
        if pk is None:
            late.append((interaction.source_system, interaction.source_event_id))
    if late:
        stored.update(interaction_events_stored(workspace=workspace, pairs=late))
        for index, interaction in built:
            if results[index].id is None:
                pair = (interaction.source_system, interaction.source_event_id)
                results[index].id = stored.get(pair)
    for (index, _item), pair in zip(items, pairs, strict=True):
        result = results[index]
        if result.status == DUPLICATE and result.id is None and pair in claimed:
            result.id = results[claimed[pair]].id
    return [results[index] for index, _item in items]
