"""dim_contact and dim_account: people and companies without what identifies them.

A contact leaves as its pseudonym (`contact_key`) with lifecycle stage, sex, age band,
education, country, city, postcode area (two characters), tags and segment memberships:
never a name, email address, phone number, street, full postal code, date of birth, job
title, custom field or note. An erased contact keeps its row with `erased = true` and
nothing else but its key (and created date), so facts still join and counts stay right.

Changes come from the change log: events on the contact itself (created, updated, merged,
erased, deleted: a tombstone's key has no row any more, so it is removed), on its tag links
and on segment/list memberships. A removed tag link or membership is a tombstone that no
longer says whose it was: those reach the warehouse with the contact's next change or a full
run (the services that change a contact's tags record the contact too).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence

import pyarrow as pa
from django.apps import apps
from django.utils import timezone

from contacts.models import Account, Contact, ContactTag

from ..pseudonyms import age_band, postcode_area, pseudonyms_cached
from ..registry import ExportContext, Table, Window, register_table
from .reading import (
    changed_ids,
    chunked,
    id_chunks,
    ids_for_keys,
    pseudonym_list,
    record_batch,
)

CONTACT = "contacts.contact"
CONTACT_TAG = "contacts.contacttag"
SEGMENT_MEMBER = "marketing.segmentmember"
ACCOUNT = "contacts.account"

CONTACT_FIELDS = (
    "pk",
    "lifecycle_stage",
    "sex",
    "date_of_birth",
    "education",
    "country",
    "city",
    "postal_code",
    "account_id",
    "owner_id",
    "created_at",
    "erased_at",
)


def contact_schema() -> pa.Schema:
    return pa.schema(
        [
            ("contact_key", pa.string()),
            ("lifecycle_stage", pa.string()),
            ("sex", pa.string()),
            ("age_band", pa.string()),
            ("education", pa.string()),
            ("country", pa.string()),
            ("city", pa.string()),
            ("postcode_area", pa.string()),
            ("account_key", pa.string()),
            ("owner_key", pa.string()),
            ("tags", pa.list_(pa.string())),
            ("segment_ids", pa.list_(pa.int64())),
            ("segments", pa.list_(pa.string())),
            ("created", pa.date32()),
            ("erased", pa.bool_()),
        ]
    )


def _segment_member_model():
    """marketing.SegmentMember when the marketing app is installed (dim_contact picks up
    whatever apps are present), else None."""
    try:
        return apps.get_model("marketing", "SegmentMember")
    except LookupError:
        return None


def contact_ids_changed(ctx: ExportContext, window: Window) -> set[int]:
    """Ids of contacts whose dimension row may have changed in the window."""
    found = changed_ids(ctx, window, [CONTACT, CONTACT_TAG, SEGMENT_MEMBER])
    ids = set(found[CONTACT])
    for chunk in id_chunks(found[CONTACT_TAG]):
        ids.update(
            ContactTag.objects.filter(workspace_id=ctx.workspace_id, pk__in=chunk).values_list(
                "contact_id", flat=True
            )
        )
    member = _segment_member_model()
    if member is not None:
        for chunk in id_chunks(found[SEGMENT_MEMBER]):
            ids.update(
                member.objects.filter(workspace_id=ctx.workspace_id, pk__in=chunk).values_list(
                    "contact_id", flat=True
                )
            )
    return ids


def contact_changed_keys(ctx: ExportContext, window: Window) -> list[str]:
    """Pseudonyms of the contacts changed, erased, merged away or deleted in the window."""
    ids = contact_ids_changed(ctx, window)
    known = pseudonyms_cached(ctx.cache, ctx.secret, "contact", ids)
    return sorted(known[i] for i in ids)


def _all_contact_ids(ctx: ExportContext):
    qs = Contact.objects.filter(workspace_id=ctx.workspace_id).order_by()
    return qs.values_list("pk", flat=True).iterator(chunk_size=10_000)


def contact_rows(ctx: ExportContext, keys: Sequence[str] | None) -> Iterator[pa.RecordBatch]:
    """dim_contact rows for pseudonym `keys` (None: every contact), `ctx.batch_rows` at a time.
    Ages are banded on today's date (the export's)."""
    qs = Contact.objects.filter(workspace_id=ctx.workspace_id).order_by("pk")
    if keys is None:
        chunks = chunked(qs.values_list(*CONTACT_FIELDS).iterator(chunk_size=10_000), 5_000)
    else:
        ids = ids_for_keys(ctx, "contact", keys, lambda: _all_contact_ids(ctx))
        chunks = (
            list(qs.filter(pk__in=chunk).values_list(*CONTACT_FIELDS)) for chunk in id_chunks(ids)
        )
    today = timezone.localdate()
    pending: list[dict] = []
    for chunk in chunks:
        pending.extend(_contact_dicts(ctx, chunk, today))
        while len(pending) >= ctx.batch_rows:
            yield _contact_batch(pending[: ctx.batch_rows])
            pending = pending[ctx.batch_rows :]
    if pending:
        yield _contact_batch(pending)


def _contact_dicts(ctx: ExportContext, chunk: list[tuple], today) -> list[dict]:
    ids = [row[0] for row in chunk]
    tags = _lists(
        ContactTag.objects.filter(workspace_id=ctx.workspace_id, contact_id__in=ids).values_list(
            "contact_id", "tag__name"
        )
    )
    segment_ids: dict = defaultdict(list)
    segment_names: dict = defaultdict(list)
    member = _segment_member_model()
    if member is not None:
        memberships = member.objects.filter(workspace_id=ctx.workspace_id, contact_id__in=ids)
        for contact_id, segment_id, name in memberships.order_by("segment_id").values_list(
            "contact_id", "segment_id", "segment__name"
        ):
            segment_ids[contact_id].append(segment_id)
            segment_names[contact_id].append(name)
    keys = pseudonym_list(ctx, "contact", ids)
    accounts = pseudonym_list(ctx, "account", [row[8] for row in chunk])
    owners = pseudonym_list(ctx, "user", [row[9] for row in chunk])
    out = []
    for row, key, account_key, owner_key in zip(chunk, keys, accounts, owners, strict=True):
        pk, stage, sex, born, education, country, city, postal, _a, _o, created, erased = row
        if erased is not None:  # a faceless placeholder: only what keeps the joins
            out.append(_erased_row(key, created))
            continue
        out.append(
            {
                "contact_key": key,
                "lifecycle_stage": stage or None,
                "sex": sex or None,
                "age_band": age_band(born, today),
                "education": education or None,
                "country": country or None,
                "city": city or None,
                "postcode_area": postcode_area(postal),
                "account_key": account_key,
                "owner_key": owner_key,
                "tags": sorted(tags.get(pk, [])),
                "segment_ids": segment_ids.get(pk, []),
                "segments": segment_names.get(pk, []),
                "created": timezone.localdate(created) if created else None,
                "erased": False,
            }
        )
    return out


def _erased_row(key: str, created) -> dict:
    return {
        "contact_key": key,
        "lifecycle_stage": None,
        "sex": None,
        "age_band": None,
        "education": None,
        "country": None,
        "city": None,
        "postcode_area": None,
        "account_key": None,
        "owner_key": None,
        "tags": [],
        "segment_ids": [],
        "segments": [],
        "created": timezone.localdate(created) if created else None,
        "erased": True,
    }


def _lists(pairs) -> dict:
    out: dict = defaultdict(list)
    for owner_id, value in pairs:
        out[owner_id].append(value)
    return out


def _contact_batch(dicts: list[dict]) -> pa.RecordBatch:
    schema = contact_schema()
    return record_batch(schema, {f.name: [d[f.name] for d in dicts] for f in schema})


# --- dim_account ---------------------------------------------------------------------------

ACCOUNT_FIELDS = ("pk", "industry", "size", "country", "city", "created_at")


def account_schema() -> pa.Schema:
    return pa.schema(
        [
            ("account_key", pa.string()),
            ("industry", pa.string()),
            ("size", pa.string()),
            ("country", pa.string()),
            ("city", pa.string()),
            ("created", pa.date32()),
        ]
    )


def account_changed_keys(ctx: ExportContext, window: Window) -> list[str]:
    """Pseudonyms of accounts created, changed, merged or deleted in the window."""
    ids = changed_ids(ctx, window, [ACCOUNT])[ACCOUNT]
    known = pseudonyms_cached(ctx.cache, ctx.secret, "account", ids)
    return sorted(known[i] for i in ids)


def account_rows(ctx: ExportContext, keys: Sequence[str] | None) -> Iterator[pa.RecordBatch]:
    """dim_account rows for pseudonym `keys` (None: every account). Names, domains, phones,
    websites and streets stay in the CRM."""
    qs = Account.objects.filter(workspace_id=ctx.workspace_id).order_by("pk")
    if keys is None:
        rows_in = qs.values_list(*ACCOUNT_FIELDS).iterator(chunk_size=10_000)
    else:
        ids = ids_for_keys(
            ctx,
            "account",
            keys,
            lambda: qs.values_list("pk", flat=True).iterator(chunk_size=10_000),
        )
        rows_in = (
            row
            for chunk in id_chunks(ids)
            for row in qs.filter(pk__in=chunk).values_list(*ACCOUNT_FIELDS)
        )
    schema = account_schema()
    for chunk in chunked(rows_in, ctx.batch_rows):
        keys_out = pseudonym_list(ctx, "account", [row[0] for row in chunk])
        yield record_batch(
            schema,
            {
                "account_key": keys_out,
                "industry": [row[1] or None for row in chunk],
                "size": [row[2] or None for row in chunk],
                "country": [row[3] or None for row in chunk],
                "city": [row[4] or None for row in chunk],
                "created": [timezone.localdate(row[5]) for row in chunk],
            },
        )


def register() -> None:
    register_table(
        Table(
            name="dim_contact",
            key="contact_key",
            schema=contact_schema,
            changed_keys=contact_changed_keys,
            rows=contact_rows,
            order=20,
            free_text=("city", "tags", "segments"),
        )
    )
    register_table(
        Table(
            name="dim_account",
            key="account_key",
            schema=account_schema,
            changed_keys=account_changed_keys,
            rows=account_rows,
            order=20,
            free_text=("industry", "city"),
        )
    )
