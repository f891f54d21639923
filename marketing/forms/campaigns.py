"""The campaign form: audience (segments), content (a template or own text), sender,
schedule (a local time in the workspace's zone, empty: at launch), throttle and A/B test."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workspaces.forms import WorkspaceModelForm

from ..models import Campaign, Segment


class CampaignForm(WorkspaceModelForm):
    segments = forms.ModelMultipleChoiceField(
        label=_("Audience"),
        queryset=Segment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Contacts of any of these segments; each contact and address once."),
    )
    variant_b_subject = forms.CharField(
        label=_("Subject of variant B"),
        max_length=300,
        required=False,
        help_text=_("With an A/B test: the subject the test share's other half gets."),
    )

    class Meta(WorkspaceModelForm.Meta):
        model = Campaign
        fields = [
            "name",
            "segments",
            "sender",
            "template",
            "subject",
            "html_body",
            "text_body",
            "scheduled_at",
            "rate_per_minute",
            "ab_enabled",
            "ab_test_percent",
            "ab_metric",
            "ab_wait_minutes",
        ]
        help_texts = {
            "template": _("The message is copied from the template when the campaign starts."),
            "subject": _("Used when no template is chosen."),
            "scheduled_at": _("In the workspace's time zone; empty: send when launched."),
        }
        widgets = {
            "html_body": forms.Textarea(attrs={"rows": 6}),
            "text_body": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender"].required = True
        if self.instance.pk:
            self.fields["segments"].initial = list(self.instance.segments.all())
            variant = self.instance.variants.filter(key="B").first()
            if variant is not None:
                self.fields["variant_b_subject"].initial = variant.subject

    def clean(self):
        """An A/B test needs a variant B: its subject here (or a body B stored before)."""
        cleaned = super().clean()
        if cleaned.get("ab_enabled") and not (cleaned.get("variant_b_subject") or "").strip():
            has_body_b = (
                self.instance.pk
                and self.instance.variants.filter(key="B")
                .exclude(html_body="", text_body="")
                .exists()
            )
            if not has_body_b:
                self.add_error(
                    "variant_b_subject",
                    _("An A/B test needs a variant B: enter the subject variant B is sent with."),
                )
        return cleaned
