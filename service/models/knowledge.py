"""The knowledge base: articles (internal, or public on the workspace's help pages), their
versions (every save keeps one; any can be restored) and translations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal (agents only)")
    PUBLIC = "public", _("Public (help pages)")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class KnowledgeArticle(WorkspaceOwned):
    """An article. `title` and `body` are the latest saved text (the working copy);
    `published_version` is what readers get (the help pages, the reply editor) — a later
    draft does not change it until it is published. `translation_of` points at the original
    article of a translation group (the original points nowhere)."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, allow_unicode=False)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    body = models.TextField(_("text"), max_length=100_000)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    translation_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="translations",
        verbose_name=_("translation of"),
    )
    published_version = models.ForeignKey(
        "KnowledgeArticleVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "language", "slug"], name="kbarticle_unique_slug"
            ),
        ]
        indexes = [
            models.Index(
                fields=["workspace", "visibility", "status", "language"], name="kbarticle_ws_pub"
            ),
            models.Index(fields=["workspace", "translation_of"], name="kbarticle_ws_translation"),
            models.Index(fields=["workspace", "updated_at"], name="kbarticle_ws_updated"),
        ]
        ordering = ["title", "id"]
        verbose_name = _("knowledge article")
        verbose_name_plural = _("knowledge articles")

    def __str__(self):
        return self.title

    @property
    def group_id(self) -> int:
        """The id of the translation group (the original article's id)."""
        return self.translation_of_id or self.pk

    @property
    def has_unpublished_changes(self) -> bool:
        version = self.published_version
        return version is not None and (version.title, version.body) != (self.title, self.body)


class KnowledgeArticleVersion(WorkspaceOwned):
    """One saved state of an article; numbered 1, 2, … per article. Never changed after it is
    written (a restore writes a new version with the old text)."""

    article = models.ForeignKey(
        KnowledgeArticle,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("article"),
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=100_000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "article", "number"], name="kbversion_unique_number"
            ),
        ]
        ordering = ["-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self):
        return f"{self.title} (v{self.number})"
