"""Tenancy core: users, workspaces, memberships, invitations, and the change log.

Every workspace-owned model inherits `WorkspaceOwned`: its default manager is fail-closed
(django-scopes raises when no workspace scope is active); `all_workspaces` is the explicit,
greppable escape hatch.
"""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .banking import iban_display, validate_bic, validate_iban, validate_vat_id
from .countries import country_choices, country_validate
from .mail_headers import validate_single_line
from .roles import Role

CURRENCIES = [
    ("EUR", "EUR"),
    ("USD", "USD"),
    ("GBP", "GBP"),
    ("CHF", "CHF"),
    ("JPY", "JPY"),
    ("CAD", "CAD"),
    ("AUD", "AUD"),
    ("SEK", "SEK"),
    ("PLN", "PLN"),
]
TIME_ZONES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz or tz == "UTC")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        """Platform staff, created from the shell by an operator: the address counts as
        verified (allauth asks every other account to verify it by mail)."""
        from allauth.account.models import EmailAddress

        extra.update(is_staff=True, is_superuser=True)
        user = self._create_user(email, password, **extra)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user


class User(AbstractUser):
    """A person who logs in. Users are global; memberships give them roles in workspaces."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Empty: use the browser's language."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    def __str__(self):
        return self.get_full_name() or self.email


slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    _("Use 1-50 lower-case letters, digits and hyphens, not starting or ending with a hyphen."),
)
RESERVED_SLUGS = {"admin", "api", "static", "media", "new", "settings", "w"}


class Workspace(TimeStamped):
    """A company using the CRM. Nothing of one workspace is ever visible in another."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=50, unique=True, validators=[slug_validator])
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", choices=TIME_ZONES)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", choices=CURRENCIES)
    # ISO 3166-1 alpha-2; phone numbers written without a country code are read as this
    # country's. "": none (numbers need their country code). Defaults from the time zone at
    # creation (workspaces.countries.country_for_time_zone).
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        default="",
        db_default="",  # rows written by code that predates the column still insert
        choices=country_choices,
        validators=[country_validate],
        help_text=_("Phone numbers written without a country code are read as this country's."),
    )
    # Members must sign in with an authenticator app (TOTP) to open this workspace; a member
    # without one is sent to set it up (workspaces.middleware.TwoFactorRequiredMiddleware).
    two_factor_required = models.BooleanField(
        _("require two-factor sign-in"), default=False, db_default=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")

    def __str__(self):
        return self.name

    def clean(self):
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("This address is reserved.")})
        # The name goes into mail subjects ("Invitation to <name>"): one line only.
        try:
            validate_single_line(self.name)
        except ValidationError as error:
            raise ValidationError({"name": error.messages}) from error


class WorkspaceRequest(TimeStamped):
    """The workspace a sign-up asked for. It is created (with the user as owner) when the user
    verifies the email address, so an unverified sign-up reserves nothing and a sign-up with
    an address that has an account leaves no trace anyone could observe."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workspace_request"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=50, validators=[slug_validator])
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", choices=TIME_ZONES)
    currency = models.CharField(_("currency"), max_length=3, default="EUR", choices=CURRENCIES)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        default="",
        db_default="",
        validators=[country_validate],
    )

    class Meta:
        verbose_name = _("workspace request")

    def __str__(self):
        return f"{self.name} ({self.slug})"


class WorkspaceOwned(TimeStamped):
    """Base for every row that belongs to a workspace (DESIGN.md §4)."""

    # No index of its own: every workspace-owned model has indexes (and unique constraints)
    # that lead with `workspace`, which serve the same lookups; a single-column index would
    # only slow every write (tests/workspaces/test_indexes.py keeps this true).
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("workspace"),
        db_index=False,
    )

    objects = ScopedManager(workspace="workspace")
    all_workspaces = models.Manager()  # noqa: DJ012 - the explicit escape hatch; never in request code

    class Meta:
        abstract = True
        base_manager_name = "all_workspaces"


class LegalDetails(WorkspaceOwned):
    """The workspace's company details printed on its quotes: legal name and address, tax
    and register numbers, bank account, payment terms and a footer. One row per workspace,
    made on the first save of the settings page (until then quotes show the workspace name
    only). The IBAN, BIC and VAT id are stored compact (workspaces/banking.py)."""

    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_("As registered, e.g. “Demo GmbH”. Empty: the workspace name."),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True, validators=[validate_vat_id])
    registration = models.CharField(
        _("commercial register"),
        max_length=200,
        blank=True,
        help_text=_("Register court and number, e.g. “Amtsgericht München HRB 123456”."),
    )
    managing_directors = models.CharField(_("managing directors"), max_length=200, blank=True)
    bank_name = models.CharField(_("bank"), max_length=120, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    payment_terms = models.TextField(
        _("payment terms"),
        max_length=1000,
        blank=True,
        help_text=_("Printed on every quote, e.g. “Payable within 14 days without deduction.”"),
    )
    quote_footer = models.TextField(
        _("quote footer"), max_length=1000, blank=True, help_text=_("Printed at the foot.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="legaldetails_unique_workspace"),
        ]
        verbose_name = _("legal details")
        verbose_name_plural = _("legal details")

    def __str__(self):
        return self.legal_name or str(self.workspace_id)

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(p for p in (self.postal_code, self.city) if p)
        return [p for p in (self.street, city_line, self.country) if p]

    @property
    def iban_display(self) -> str:
        return iban_display(self.iban)


class Membership(WorkspaceOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SALES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique_user")
        ]
        indexes = [
            models.Index(fields=["user", "workspace"], name="membership_user_idx"),
            models.Index(
                fields=["workspace", "created_at", "id"], name="membership_ws_created_idx"
            ),
        ]
        verbose_name = _("membership")

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"


class Invitation(WorkspaceOwned):
    """An emailed invitation to join a workspace with a role. The link is signed and expires."""

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SALES)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "email"], name="invitation_ws_email_idx"),
            models.Index(
                fields=["workspace", "created_at", "id"], name="invitation_ws_created_idx"
            ),
        ]
        verbose_name = _("invitation")

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_open(self):
        return self.accepted_at is None and self.revoked_at is None


class ChangeAction(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    MERGED = "merged", _("merged")


class ChangeEvent(models.Model):
    """The change log (DESIGN.md §8): one row per create/update/delete/merge of a workspace
    record, written by the service in the same transaction (CONTRIBUTING.md, "Change log").

    `seq` is the consumers' cursor: per workspace, drawn from the workspace's `ChangeSequence`
    row in the writing transaction, so events become visible in `seq` order and a reader that
    remembers the last `seq` it saw never skips one (`id` is drawn at insert, but commits land
    out of order). Read it with `workspaces.changelog.change_events_after`."""

    # indexed by the (workspace, seq) and (workspace, model, object_id) keys below
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    seq = models.BigIntegerField()
    model = models.CharField(max_length=64)  # app_label.modelname
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=16, choices=ChangeAction.choices)
    fields = models.JSONField(default=list, blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(workspace="workspace")
    all_workspaces = models.Manager()  # noqa: DJ012 - a manager, not a field

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "seq"], name="changeevent_ws_seq_uniq")
        ]
        indexes = [
            models.Index(fields=["workspace", "model", "object_id"], name="changeevent_obj_idx"),
        ]
        base_manager_name = "all_workspaces"

    def __str__(self):
        return f"#{self.seq} {self.model}:{self.object_id} {self.action}"


class ChangeSequence(models.Model):
    """The last `seq` handed out in a workspace: to the change log and to the append-only
    customer history (`touchpoints.Interaction.seq`). Taken with one upsert in the writing
    transaction, whose row lock is held until commit: writers of one workspace append in turn,
    so a later `seq` is never visible before an earlier one (see `workspaces.changelog`)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last = models.BigIntegerField(default=0)

    objects = ScopedManager(workspace="workspace")
    all_workspaces = models.Manager()  # noqa: DJ012 - a manager, not a field

    class Meta:
        base_manager_name = "all_workspaces"

    def __str__(self):
        return f"{self.workspace_id}: {self.last}"


class AuditAction(models.TextChoices):
    CREATED = "created", _("created")
    CHANGED = "changed", _("changed")
    DELETED = "deleted", _("deleted")
    MERGED = "merged", _("merged")
    EXPORTED = "exported", _("exported")
    IMPORTED = "imported", _("imported")
    VIEWED_BULK = "viewed_bulk", _("viewed in bulk")
    ERASED = "erased", _("erased (GDPR)")
    DATA_EXPORTED = "data_exported", _("personal data exported (GDPR)")
    SECURITY = "security", _("security setting changed")


class AuditLogIsAppendOnly(Exception):
    """An audit entry was to be changed or deleted outside the two allowed paths."""


class AuditQuerySet(models.QuerySet):
    """Refuses update() and delete(): the audit log is append-only. `_redact_update` is the
    one update, used only by `workspaces.audit.audit_redact`. (A workspace's deletion takes
    its entries along through Django's collector, which deletes without this method.)"""

    def update(self, **kwargs):
        if kwargs == {"actor": None}:  # a user's deletion: SET_NULL keeps the entries
            return super().update(**kwargs)
        raise AuditLogIsAppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")

    def _redact_update(self, **kwargs) -> int:
        return super().update(**kwargs)


class AuditManager(models.Manager.from_queryset(AuditQuerySet)):
    pass


class AuditEntry(WorkspaceOwned):
    """The audit log (issue 26): who did what to which record and when, per workspace.
    Append-only: written only through `workspaces.audit.audit_record`, never updated; on
    PostgreSQL the database refuses UPDATE and DELETE of its rows (see the migration).

    `changes` holds field-by-field changes as {"field": [old, new]}; `details` anything else
    (row counts of an import, the filter of a bulk view or export, the reason of an erasure).
    `actor_label` keeps the actor's email at the time, so the entry stays readable after the
    user is gone; `object_repr` likewise for the record."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=64, blank=True)
    object_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = ScopedManager(workspace="workspace", _manager_class=AuditManager)
    all_workspaces = AuditManager()  # noqa: DJ012 - the explicit escape hatch

    class Meta(WorkspaceOwned.Meta):
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="audit_ws_created_idx"),
            models.Index(
                fields=["workspace", "object_type", "object_id"], name="audit_ws_object_idx"
            ),
            models.Index(fields=["workspace", "actor", "-created_at"], name="audit_ws_actor_idx"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_repr}"

    def save(self, *args, **kwargs):
        """Insert only: saving an entry that is stored already raises AuditLogIsAppendOnly."""
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit entries cannot be changed")
        kwargs["force_insert"] = True
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        """Always raises AuditLogIsAppendOnly (a workspace's deletion takes its entries)."""
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")
