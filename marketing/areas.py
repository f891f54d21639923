"""The pages of the marketing area and what each will hold (pure data: the navigation, the
marketer's home panel and the empty-state pages read it). Each entry goes when its page is
built."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Area:
    key: str  # also the URL name in the app's namespace and the page's path
    label: str
    summary: str
    will_hold: tuple[str, ...]
    built: bool = False  # True: the page is built (no empty state; its own view)


AREAS = (
    Area(
        key="segments",
        label=_("Segments"),
        summary=_(
            "Groups of contacts chosen by their fields, tags, lifecycle stage, consent and "
            "touch points, kept up to date as contacts change: the audience of campaigns."
        ),
        will_hold=(
            _("Your segments with their current size"),
            _("Rules such as “customers in Bavaria who opted in to email”"),
            _("The contacts of a segment, exported or used in a campaign"),
        ),
    ),
    Area(
        key="campaigns",
        label=_("Campaigns"),
        summary=_(
            "Mailings and other campaigns sent to a segment, with their opens, clicks and the "
            "leads and deals they brought."
        ),
        will_hold=(
            _("Drafts, scheduled and sent campaigns"),
            _("Opens and clicks, each on the contact's timeline"),
            _("Leads and won deals per campaign"),
        ),
    ),
    Area(
        key="templates",
        label=_("Email templates"),
        summary=_(
            "Reusable emails with the contact's name and fields filled in, previewed before "
            "they are sent; only contacts who opted in receive them."
        ),
        will_hold=(
            _("Templates with placeholders for contact fields"),
            _("A preview for a chosen contact"),
            _("The unsubscribe link every mailing carries"),
        ),
        built=True,
    ),
    Area(
        key="assets",
        label=_("Assets"),
        summary=_(
            "Images, PDFs, audio and video for campaigns, each with an address to insert in a "
            "template."
        ),
        will_hold=(_("Uploaded files with their type and size"),),
        built=True,
    ),
    Area(
        key="senders",
        label=_("Senders"),
        summary=_(
            "Who campaigns come from, how fast they may send, whether the sender domain's "
            "SPF, DKIM and DMARC records are in place, and where bounces are reported."
        ),
        will_hold=(_("Sender identities with their throttles and DNS check"),),
        built=True,
    ),
)
