"""Writes of email templates and the asset library."""

import secrets
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from workspaces.changelog import ChangeAction, change_record
from workspaces.service_checks import delete_recorded, raise_if, same_workspace_require

from ..models import Asset, EmailTemplate
from ..rendering import SENDING_FIELDS, template_problems

_PART_FIELD = {"subject": "subject", "html": "html_body", "text": "text_body"}
TEMPLATE_FIELDS = ("name", "subject", "html_body", "text_body")


def template_problem_errors(*, subject: str, html_body: str, text_body: str) -> dict:
    """{form field: ["line 3: Unknown field “frist_name”.", …]} for a template's problems
    (marketing.rendering.template_problems, sending fields such as unsubscribe_url known)."""
    errors: dict = {}
    for problem in template_problems(
        subject=subject, html_body=html_body, text_body=text_body, extra_fields=SENDING_FIELDS
    ):
        message = _("Line %(line)d: %(message)s") % {
            "line": problem.line,
            "message": problem.message,
        }
        errors.setdefault(_PART_FIELD[problem.part], []).append(message)
    return errors


def _template_check(template: EmailTemplate) -> None:
    errors = template_problem_errors(
        subject=template.subject, html_body=template.html_body, text_body=template.text_body
    )
    if not (template.html_body or "").strip() and not (template.text_body or "").strip():
        errors.setdefault("html_body", []).append(_("Write an HTML or a plain-text body."))
    try:
        template.full_clean(exclude=["workspace", "created_by"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    raise_if(errors)


@transaction.atomic
def template_create(
    *, workspace, actor, name: str, subject: str, html_body: str = "", text_body: str = ""
) -> EmailTemplate:
    """Create a template. ValidationError keyed by field when a part has a syntax error or an
    unknown field (each message names its line), or both bodies are empty; nothing stored
    then. Records a change event."""
    template = EmailTemplate(
        workspace=workspace,
        created_by=actor,
        name=name,
        subject=subject,
        html_body=html_body,
        text_body=text_body,
    )
    _template_check(template)
    template.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=template,
        action=ChangeAction.CREATED,
        fields=TEMPLATE_FIELDS,
    )
    return template


@transaction.atomic
def template_update(*, workspace, actor, template: EmailTemplate, **fields) -> EmailTemplate:
    """Change the given fields (of TEMPLATE_FIELDS); same checks as template_create. Records
    a change event naming the changed fields."""
    same_workspace_require(workspace=workspace, obj=template, field="template")
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    changed = [k for k, v in fields.items() if getattr(template, k) != v]
    for key, value in fields.items():
        setattr(template, key, value)
    _template_check(template)
    if changed:
        template.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=template,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
    return template


@transaction.atomic
def template_delete(*, workspace, actor, template: EmailTemplate) -> None:
    """Delete a template (campaigns keep their frozen copy; their link is cleared)."""
    same_workspace_require(workspace=workspace, obj=template, field="template")
    delete_recorded(workspace=workspace, actor=actor, instance=template)


# --- assets ----------------------------------------------------------------------------------

# What the library accepts, by the type the file's first bytes show (never its name).
# SVG is refused: it is a document that can carry scripts.
ASSET_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/pdf": "pdf",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/x-wav": "wav",
    "audio/mp4": "m4a",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
}
# types mail clients show inline; everything else is served as a download
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
_SNIFF_BYTES = 8192


def asset_max_bytes() -> int:
    return settings.MARKETING_ASSET_MAX_MB * 1024 * 1024


def asset_content_type(head: bytes) -> str | None:
    """The accepted type of a file whose first bytes are `head` (magic numbers, via the
    filetype package), or None when it is not one of ASSET_TYPES."""
    kind = filetype.guess(head)
    if kind is None:
        return None
    mime = {"audio/wav": "audio/x-wav", "audio/x-m4a": "audio/mp4"}.get(kind.mime, kind.mime)
    return mime if mime in ASSET_TYPES else None


def _stored_name(original: str, content_type: str) -> str:
    """A random, safe file name with the extension of the real type (never the uploader's)."""
    stem = get_valid_filename(PurePath(original or "file").stem)[:60] or "file"
    return f"{secrets.token_urlsafe(12)}-{stem}.{ASSET_TYPES[content_type]}"


@transaction.atomic
def asset_upload(*, workspace, actor, upload, name: str = "") -> Asset:
    """Store an uploaded file (a Django UploadedFile) in the workspace's library.

    Its type is read from its first bytes: images (PNG, JPEG, GIF, WebP), PDF, audio (MP3,
    Ogg, WAV, M4A) and video (MP4, WebM, QuickTime) are accepted; anything else (SVG, HTML,
    executables, a PNG name on a script) is refused, as is a file larger than
    MARKETING_ASSET_MAX_MB. ValidationError keyed "file"; nothing stored then. Records a
    change event."""
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    if upload.size > asset_max_bytes():
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)d MB.")
                % {"mb": settings.MARKETING_ASSET_MAX_MB}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    content_type = asset_content_type(head)
    if content_type is None:
        raise ValidationError(
            {
                "file": _(
                    "This kind of file is not accepted: upload an image (PNG, JPEG, GIF, "
                    "WebP), a PDF, audio (MP3, Ogg, WAV, M4A) or video (MP4, WebM, MOV)."
                )
            }
        )
    asset = Asset(
        workspace=workspace,
        uploaded_by=actor,
        name=(name or PurePath(upload.name or "").name or _("Asset"))[:200],
        content_type=content_type,
        size=upload.size,
    )
    asset.file.save(_stored_name(upload.name, content_type), upload, save=False)
    try:
        asset.full_clean(exclude=["workspace", "uploaded_by"])
        asset.save()
    except Exception:
        asset.file.delete(save=False)
        raise
    change_record(
        workspace=workspace,
        actor=actor,
        instance=asset,
        action=ChangeAction.CREATED,
        fields=["name", "file", "content_type", "size"],
    )
    return asset


@transaction.atomic
def asset_delete(*, workspace, actor, asset: Asset) -> None:
    """Delete an asset and, after commit, its file (mail already sent that links to it shows
    a missing image from then on)."""
    same_workspace_require(workspace=workspace, obj=asset, field="asset")
    storage, path = asset.file.storage, asset.file.name
    delete_recorded(workspace=workspace, actor=actor, instance=asset)
    transaction.on_commit(lambda: storage.delete(path) if path else None)
