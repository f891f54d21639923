"""People (contacts) and companies (accounts), their tags and custom fields, and imports."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    QUALIFIED = "qualified", _("Qualified")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    CHURNED = "churned", _("Churned")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    DIVERSE = "diverse", _("Diverse")


class Education(models.TextChoices):
    NONE = "none", _("No formal education")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    VOCATIONAL = "vocational", _("Vocational")
    BACHELOR = "bachelor", _("Bachelor")
    MASTER = "master", _("Master")
    DOCTORATE = "doctorate", _("Doctorate")


class Salutation(models.TextChoices):
    MS = "ms", _("Ms")
    MR = "mr", _("Mr")
    MX = "mx", _("Mx")
    DR = "dr", _("Dr")
    PROF = "prof", _("Prof.")


class PreferredChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    MAIL = "mail", _("Letter")
    VISIT = "sales_visit", _("Visit")


class AccountSize(models.TextChoices):
    MICRO = "1-10", "1–10"
    SMALL = "11-50", "11–50"
    MEDIUM = "51-200", "51–200"
    LARGE = "201-1000", "201–1,000"
    ENTERPRISE = "1000+", "1,000+"


class Address(models.Model):
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(p for p in (self.postal_code, self.city) if p)
        return [p for p in (self.street, city_line, self.region, self.country) if p]


class Tag(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique_name")
        ]
        verbose_name = _("tag")

    def __str__(self):
        return self.name


class Account(WorkspaceOwned, Address):
    """A company or organisation."""

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=253, blank=True, help_text=_("example.com"))
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=AccountSize.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)  # E.164
    website = models.URLField(_("website"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    tags = models.ManyToManyField(Tag, through="AccountTag", blank=True, related_name="accounts")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="account_ws_name"),
            models.Index(fields=["workspace", "domain"], name="account_ws_domain"),
            models.Index(fields=["workspace", "phone"], name="account_ws_phone"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="account_ws_created"),
        ]
        verbose_name = _("account")

    def __str__(self):
        return self.name


class Contact(WorkspaceOwned, Address):
    """A person. Email addresses are stored lower-cased, phone numbers as E.164."""

    salutation = models.CharField(
        _("salutation"), max_length=8, choices=Salutation.choices, blank=True
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    email2 = models.EmailField(_("other email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)  # E.164
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)  # E.164
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("account"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    tags = models.ManyToManyField(Tag, through="ContactTag", blank=True, related_name="contacts")
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=16,
        choices=LifecycleStage.choices,
        default=LifecycleStage.LEAD,
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    education = models.CharField(
        _("education"), max_length=12, choices=Education.choices, blank=True
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=PreferredChannel.choices, blank=True
    )
    language = models.CharField(_("language"), max_length=8, blank=True, help_text=_("e.g. en, de"))
    # consent
    email_opt_in = models.BooleanField(_("email opt-in"), default=False)
    email_opt_in_at = models.DateTimeField(_("opted in at"), null=True, blank=True)
    email_opt_in_source = models.CharField(_("opt-in source"), max_length=100, blank=True)
    do_not_call = models.BooleanField(_("do not call"), default=False)
    do_not_mail = models.BooleanField(_("do not mail"), default=False)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    last_interaction_at = models.DateTimeField(_("last touch point"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "last_name", "first_name", "id"], name="contact_ws_name"
            ),
            models.Index(fields=["workspace", "-created_at", "-id"], name="contact_ws_created"),
            models.Index(fields=["workspace", "email"], name="contact_ws_email"),
            models.Index(fields=["workspace", "email2"], name="contact_ws_email2"),
            models.Index(fields=["workspace", "phone"], name="contact_ws_phone"),
            models.Index(fields=["workspace", "mobile"], name="contact_ws_mobile"),
            models.Index(fields=["workspace", "account", "last_name"], name="contact_ws_account"),
            models.Index(fields=["workspace", "owner", "-created_at"], name="contact_ws_owner"),
            models.Index(
                fields=["workspace", "lifecycle_stage", "-created_at"], name="contact_ws_stage"
            ),
            models.Index(
                fields=["workspace", "-last_interaction_at", "-id"], name="contact_ws_last_touch"
            ),
        ]
        verbose_name = _("contact")

    def __str__(self):
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def age(self) -> int | None:
        if not self.date_of_birth:
            return None
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    @staticmethod
    def born_before_for_age(age: int) -> datetime.date:
        """Latest birth date of someone at least `age` years old today (for segments)."""
        today = timezone.localdate()
        try:
            return today.replace(year=today.year - age)
        except ValueError:  # 29 February
            return today.replace(year=today.year - age, day=28)


class ContactTag(WorkspaceOwned):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="contact_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "contact", "tag"], name="contacttag_unique"
            )
        ]
        indexes = [models.Index(fields=["workspace", "tag", "contact"], name="contacttag_tag")]


class AccountTag(WorkspaceOwned):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="account_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "account", "tag"], name="accounttag_unique"
            )
        ]
        indexes = [models.Index(fields=["workspace", "tag", "account"], name="accounttag_tag")]


class CustomFieldEntity(models.TextChoices):
    CONTACT = "contact", _("Contact")
    ACCOUNT = "account", _("Account")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    BOOLEAN = "boolean", _("Yes/no")


class CustomField(WorkspaceOwned):
    """A workspace-defined field on contacts or accounts; values live in `custom` JSON."""

    entity = models.CharField(_("on"), max_length=10, choices=CustomFieldEntity.choices)
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=10, choices=CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["entity", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "entity", "key"], name="customfield_unique_key"
            )
        ]
        verbose_name = _("custom field")

    def __str__(self):
        return self.label


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DedupeMode(models.TextChoices):
    UPDATE = "update", _("Update the existing record")
    SKIP = "skip", _("Skip the row")
    CREATE = "create", _("Create a new record anyway")


class ImportJob(WorkspaceOwned):
    """An uploaded file being imported. The row is the truth; the task only moves its state."""

    entity = models.CharField(
        _("import"),
        max_length=10,
        choices=CustomFieldEntity.choices,
        default=CustomFieldEntity.CONTACT,
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)  # csv | xlsx
    encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # [[line, [cells]], ...]: the first data rows, read once at upload for the mapping page
    preview = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # column index (str) -> field name
    dedupe_mode = models.CharField(
        max_length=8, choices=DedupeMode.choices, default=DedupeMode.UPDATE
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Last sign of life of a queued or running job (queued, claimed, each batch); the sweeper
    # re-queues a job whose heartbeat is older than runner.STALE_AFTER.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The run holding the claim: every write of a run is conditional on it.
    owner_token = models.CharField(max_length=32, blank=True)
    restarts = models.PositiveSmallIntegerField(default=0)  # runs lost (worker died)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="importjob_ws_created"),
            models.Index(
                fields=["heartbeat_at"],
                name="importjob_active_heartbeat",
                condition=models.Q(status__in=["queued", "running"]),
            ),
        ]
        verbose_name = _("import")

    def __str__(self):
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(WorkspaceOwned):
    """An Excel export of a filtered list, written by a worker to storage. The row is the truth
    (status, progress, heartbeat and claim as contacts.job_state describes)."""

    entity = models.CharField(
        _("export"),
        max_length=10,
        choices=CustomFieldEntity.choices,
        default=CustomFieldEntity.CONTACT,
    )
    params = models.JSONField(default=dict, blank=True)  # the list's filters: {name: [values]}
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    owner_token = models.CharField(max_length=32, blank=True)
    restarts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="exportjob_ws_created"),
            models.Index(
                fields=["heartbeat_at"],
                name="exportjob_active_heartbeat",
                condition=models.Q(status__in=["queued", "running"]),
            ),
        ]
        verbose_name = _("export")

    def __str__(self):
        return f"{self.get_entity_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ExportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportRowError(WorkspaceOwned):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    reason = models.TextField()
    raw = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["workspace", "job", "line"], name="importrowerror_job")]
