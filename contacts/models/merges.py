"""Where a merged-away contact went: its old id names the survivor, so old links, bookmarks
and references in other systems still open the right person."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

from .contacts import Contact


class ContactMergeRedirect(WorkspaceOwned):
    """`merged_id` was merged into `survivor`. When the survivor is merged again, its
    redirects move to the next survivor with the rest of its rows (contact_merge moves every
    row pointing at the loser), so a chain always ends at the contact that exists; when the
    survivor is deleted, they go with it (and the old links answer 404)."""

    merged_id = models.BigIntegerField(_("merged contact id"))
    survivor = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        related_name="merge_redirects",
        verbose_name=_("merged into"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "merged_id"], name="contactmergeredirect_unique_id"
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "survivor"], name="contactmergeredirect_survivor")
        ]
        verbose_name = _("merge redirect")

    def __str__(self):
        return f"#{self.merged_id} → #{self.survivor_id}"
