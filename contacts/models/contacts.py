"""People (contacts) and companies (accounts) and their tags."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

from ..dates import month_day_text
from ..emails import email_key


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


def extension_needs_phone(record) -> None:
    """Raise ValidationError {"phone_extension": …} for an extension without a phone number
    (`record`: anything with `phone` and `phone_extension`)."""
    if record.phone_extension and not record.phone:
        raise ValidationError({"phone_extension": _("An extension needs a phone number.")})


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
    # digits; db_default: rows written by code that predates the column still insert
    phone_extension = models.CharField(
        _("extension"), max_length=20, blank=True, default="", db_default=""
    )
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
    # the id this account has in another system (ERP, shop): the API upserts by it
    external_id = models.CharField(
        _("external id"), max_length=100, blank=True, default="", db_default=""
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="account_ws_external_id_uniq",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="account_ws_name"),
            models.Index(fields=["workspace", "domain"], name="account_ws_domain"),
            models.Index(fields=["workspace", "phone"], name="account_ws_phone"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="account_ws_created"),
        ]
        verbose_name = _("account")

    def __str__(self):
        return self.name

    def clean(self):
        extension_needs_phone(self)


# Contact fields computed from others on every save: {source: derived fields}.
CONTACT_DERIVED_FIELDS = {
    "email": ("email_key",),
    "email2": ("email2_key",),
    "date_of_birth": ("birthday_month", "birthday_day"),
}


class Contact(WorkspaceOwned, Address):
    """A person. Email addresses are stored lower-cased (as written otherwise) with their
    comparison keys (contacts.emails.email_key), phone numbers as E.164.

    A birthday is `birthday_month`/`birthday_day`, known with or without the year: with a
    `date_of_birth` they are its month and day (save() and clean() keep them so), without
    one they are a birthday whose year nobody knows. "Birthdays this week" reads the pair."""

    salutation = models.CharField(
        _("salutation"), max_length=8, choices=Salutation.choices, blank=True
    )
    title = models.CharField(
        _("title"), max_length=60, blank=True, help_text=_("Academic title, e.g. Dr., Prof. Dr.")
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    email2 = models.EmailField(_("other email"), max_length=254, blank=True)
    # comparison forms of the two addresses (lower case, ASCII domain), kept by save()
    email_key = models.CharField(max_length=320, blank=True, editable=False)
    email2_key = models.CharField(max_length=320, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True)  # E.164
    # digits dialled after the phone number (a switchboard's extension), "" for none
    phone_extension = models.CharField(
        _("extension"), max_length=20, blank=True, default="", db_default=""
    )
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
    birthday_month = models.PositiveSmallIntegerField(_("birthday month"), null=True, blank=True)
    birthday_day = models.PositiveSmallIntegerField(_("birthday day"), null=True, blank=True)
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
    # the id this contact has in another system (shop, ERP): the API upserts by it
    external_id = models.CharField(
        _("external id"), max_length=100, blank=True, default="", db_default=""
    )
    # set when the contact's personal data was erased on request (GDPR art. 17): the row stays
    # as a faceless placeholder so history and reports keep their counts
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "last_name", "first_name", "id"], name="contact_ws_name"
            ),
            models.Index(fields=["workspace", "-created_at", "-id"], name="contact_ws_created"),
            models.Index(fields=["workspace", "email"], name="contact_ws_email"),
            models.Index(fields=["workspace", "email2"], name="contact_ws_email2"),
            models.Index(fields=["workspace", "email_key"], name="contact_ws_email_key"),
            models.Index(fields=["workspace", "email2_key"], name="contact_ws_email2_key"),
            models.Index(
                fields=["workspace", "birthday_month", "birthday_day"], name="contact_ws_birthday"
            ),
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
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(birthday_month__isnull=True, birthday_day__isnull=True)
                    | models.Q(
                        birthday_month__gte=1,
                        birthday_month__lte=12,
                        birthday_day__gte=1,
                        birthday_day__lte=31,
                    )
                ),
                name="contact_birthday_month_day",
            ),
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="contact_ws_external_id_uniq",
            ),
        ]
        verbose_name = _("contact")

    def __str__(self):
        return self.full_name or self.email or self.phone or f"#{self.pk}"

    def save(self, *args, **kwargs):
        self.derived_sync()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            fields = set(update_fields)
            for source, derived in CONTACT_DERIVED_FIELDS.items():
                if source in fields:
                    fields.update(derived)
            kwargs["update_fields"] = fields
        super().save(*args, **kwargs)

    def derived_sync(self) -> None:
        """Set the email keys from the addresses and, with a date of birth, the birthday's
        month and day from it (a birthday without a year stays when there is no date)."""
        self.email_key = email_key(self.email)
        self.email2_key = email_key(self.email2)
        born = self.date_of_birth
        if isinstance(born, str):  # assigned as text, not converted yet
            try:
                born = datetime.date.fromisoformat(born)
            except ValueError:
                return  # full_clean reports it
        if born:
            self.birthday_month, self.birthday_day = born.month, born.day

    def clean(self):
        super().clean()
        extension_needs_phone(self)
        self.derived_sync()
        if (self.birthday_month is None) != (self.birthday_day is None):
            raise ValidationError(
                {"birthday_day": _("Give the day and the month of the birthday.")}
            )
        if self.birthday_month is not None:
            try:
                datetime.date(2000, self.birthday_month, self.birthday_day)  # a leap year
            except (TypeError, ValueError):
                raise ValidationError(
                    {"birthday_day": _("There is no such day in that month.")}
                ) from None

    @property
    def birthday_text(self) -> str:
        """A birthday without a year as people read it ("17 May"); "" when there is a date
        of birth (the page shows the age) or no birthday."""
        day = self.birthday_without_year
        return month_day_text(day.month, day.day) if day else ""

    @property
    def birthday_without_year(self) -> datetime.date | None:
        """The birthday as a date in the leap year 2000 when only day and month are known
        (for showing it as "17 May"); None when there is a date of birth or no birthday."""
        if self.date_of_birth or self.birthday_month is None or self.birthday_day is None:
            return None
        try:
            return datetime.date(2000, self.birthday_month, self.birthday_day)
        except ValueError:
            return None

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
