"""The built-in journeys a workspace can switch on: welcome, win-back (after a bad
experience, and after a long silence) and lead nurturing. Each is data: the journey's
trigger, conditions, goal and steps, plus the starter email templates it sends (made in the
workspace with the journey, editable like any template).

`builtin_journey_spec(workspace=, actor=, template_key=)` makes the templates and returns the
arguments of `journey_create` with the templates' ids filled in; each built-in is registered
as a journeys.journey_templates.JourneyTemplate whose `build` calls it, so the journey
service's `journey_from_template` makes it.

The win-back journey's trigger "customer.unhappy" (registered here) fires for a complaint
case closed without being resolved (its case.resolved touch point names a case that is
closed); a satisfaction score of 1-2 enrols through workspaces.lifecycle.on_low_satisfaction
(`win_back_on_low_satisfaction`), which service's csat_answer runs. In the step data an email step names its template by the
starter's key ({"template": "@welcome"}); the spec replaces it with the new template's id.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from marketing.services.content import template_create


@dataclass(frozen=True)
class StarterEmail:
    """An email template made with a built-in journey."""

    key: str
    name: str  # lazily translated
    subject: str  # lazily translated, with personalisation fields
    paragraphs: tuple  # lazily translated; the text part is them, the HTML part <p> each

    def text_body(self) -> str:
        return "\n\n".join(str(p) for p in self.paragraphs)

    def html_body(self) -> str:
        return "<html><body>" + "".join(f"<p>{p}</p>" for p in self.paragraphs) + "</body></html>"


@dataclass(frozen=True)
class BuiltinJourney:
    key: str
    name: str  # lazily translated
    description: str
    trigger: str
    trigger_params: dict
    steps: tuple[dict, ...]
    emails: tuple[StarterEmail, ...]
    conditions: dict = field(default_factory=dict)
    goal: str = ""
    goal_params: dict = field(default_factory=dict)
    reentry: str = "never"
    reentry_days: int | None = None


def _email(key, name, subject, *paragraphs) -> StarterEmail:
    return StarterEmail(key=key, name=name, subject=subject, paragraphs=paragraphs)


def _step(key, kind, next_key="", branches=None, **params) -> dict:
    return {
        "key": key,
        "kind": kind,
        "params": params,
        "next_key": next_key,
        "branches": branches or {},
    }


UNHAPPY_TRIGGER = "customer.unhappy"
WON_DEAL = {"op": "and", "rules": [{"field": "has_won_deal", "operator": "is_true"}]}

WELCOME = BuiltinJourney(
    key="welcome",
    name=gettext_lazy("Welcome new customers"),
    description=gettext_lazy(
        "When a contact becomes a customer: a welcome email; then, as soon as their first "
        "order is won (checked after 1, 7 and 30 days), a thank-you call for the owner, or a "
        "follow-up when no order came."
    ),
    trigger="contact.stage_changed",
    trigger_params={"to": "customer"},
    reentry="never",
    steps=(
        _step("s1", "email.send", "s2", template="@welcome"),
        _step("s2", "wait", "s3", mode="delay", amount=1, unit="days"),
        _step("s3", "branch", branches={"yes": "s8", "no": "s4"}, condition=WON_DEAL),
        _step("s4", "wait", "s5", mode="delay", amount=6, unit="days"),
        _step("s5", "branch", branches={"yes": "s8", "no": "s6"}, condition=WON_DEAL),
        _step("s6", "wait", "s7", mode="delay", amount=23, unit="days"),
        _step("s7", "branch", branches={"yes": "s8", "no": "s9"}, condition=WON_DEAL),
        _step(
            "s8",
            "task.create",
            title=gettext_lazy("Thank the new customer for their first order"),
            type="call",
            due_days=1,
        ),
        _step(
            "s9",
            "task.create",
            title=gettext_lazy("New customer without an order after 30 days: follow up"),
            type="call",
            due_days=2,
        ),
    ),
    emails=(
        _email(
            "welcome",
            gettext_lazy("Welcome (journey)"),
            gettext_lazy('Welcome, {{ first_name|default:"there" }}!'),
            gettext_lazy('Hello {{ first_name|default:"there" }},'),
            gettext_lazy(
                'thank you for choosing us. {{ owner_name|default:"Your account manager" }} '
                "is your contact for everything: just reply to this message."
            ),
        ),
    ),
)

WIN_BACK = BuiltinJourney(
    key="win_back",
    name=gettext_lazy("Win back unhappy customers"),
    description=gettext_lazy(
        "When a customer rates a case 1 or 2 (or a complaint is closed without a remedy): a "
        "call for the owner at once and an apology with an offer."
    ),
    trigger=UNHAPPY_TRIGGER,
    trigger_params={"score_at_most": 2},
    reentry="after_days",
    reentry_days=30,
    steps=(
        _step(
            "s1",
            "task.create",
            "s2",
            title=gettext_lazy("Unhappy customer: call and make it right"),
            type="call",
            due_days=1,
        ),
        _step("s2", "email.send", template="@apology"),
    ),
    emails=(
        _email(
            "apology",
            gettext_lazy("Apology and offer (journey)"),
            gettext_lazy('We are sorry, {{ first_name|default:"" }}'),
            gettext_lazy('Hello {{ first_name|default:"there" }},'),
            gettext_lazy(
                "we did not do well by you, and we are sorry. "
                '{{ owner_name|default:"Your account manager" }} will call you shortly; as a '
                "thank-you for your patience, your next order comes with 15% off."
            ),
        ),
    ),
)

RE_ENGAGE = BuiltinJourney(
    key="re_engage",
    name=gettext_lazy("Win back quiet customers"),
    description=gettext_lazy(
        "When a customer has had no touch point for 90 days: a re-engagement email, and a "
        "task for the owner if there is still no reaction after 14 days."
    ),
    trigger="contact.inactive",
    trigger_params={"days": 90},
    conditions={
        "op": "and",
        "rules": [{"field": "lifecycle_stage", "operator": "in", "value": ["customer"]}],
    },
    reentry="after_days",
    reentry_days=180,
    steps=(
        _step("s1", "email.send", "s2", template="@miss_you"),
        _step("s2", "wait", "s3", mode="delay", amount=14, unit="days"),
        _step(
            "s3",
            "branch",
            branches={"yes": "s4"},
            condition={
                "op": "and",
                # our email is the last touch point: none since means no reaction
                "rules": [{"field": "untouched", "operator": "at_least_days", "value": 13}],
            },
        ),
        _step(
            "s4",
            "task.create",
            title=gettext_lazy("Quiet customer did not react: call"),
            type="call",
            due_days=3,
        ),
    ),
    emails=(
        _email(
            "miss_you",
            gettext_lazy("We miss you (journey)"),
            gettext_lazy('It has been a while, {{ first_name|default:"" }}'),
            gettext_lazy('Hello {{ first_name|default:"there" }},'),
            gettext_lazy(
                "we have not heard from you for some time. Have a look at what is new: "
                "https://example.com/news and tell us what we can do for you."
            ),
        ),
    ),
)

LEAD_NURTURING = BuiltinJourney(
    key="lead_nurturing",
    name=gettext_lazy("Nurture new leads"),
    description=gettext_lazy(
        "When a new contact comes in as a lead: three emails a few days apart, until the lead is "
        "qualified (the goal: the journey ends for them at once)."
    ),
    trigger="contact.created",
    trigger_params={},
    conditions={
        "op": "and",
        "rules": [{"field": "lifecycle_stage", "operator": "in", "value": ["lead"]}],
    },
    goal="contact.stage_changed",
    goal_params={"to": "qualified"},
    reentry="never",
    steps=(
        _step("s1", "email.send", "s2", template="@nurture_1"),
        _step("s2", "wait", "s3", mode="delay", amount=3, unit="days"),
        _step("s3", "email.send", "s4", template="@nurture_2"),
        _step("s4", "wait", "s5", mode="delay", amount=5, unit="days"),
        _step("s5", "email.send", "s6", template="@nurture_3"),
        _step("s6", "wait", "s7", mode="delay", amount=7, unit="days"),
        _step(
            "s7",
            "task.create",
            title=gettext_lazy("Nurtured lead: call to qualify"),
            type="call",
            due_days=2,
        ),
    ),
    emails=(
        _email(
            "nurture_1",
            gettext_lazy("Lead nurturing 1: hello (journey)"),
            gettext_lazy('Thanks for your interest, {{ first_name|default:"" }}'),
            gettext_lazy('Hello {{ first_name|default:"there" }},'),
            gettext_lazy("thank you for your interest. Here is how we help companies like yours."),
        ),
        _email(
            "nurture_2",
            gettext_lazy("Lead nurturing 2: a customer story (journey)"),
            gettext_lazy("How others did it"),
            gettext_lazy('Hello {{ first_name|default:"there" }},'),
            gettext_lazy("a short story of a customer who faced what you face, and what worked."),
        ),
        _email(
            "nurture_3",
            gettext_lazy("Lead nurturing 3: let's talk (journey)"),
            gettext_lazy("Shall we talk?"),
            gettext_lazy('Hello {{ first_name|default:"there" }},'),
            gettext_lazy(
                '{{ owner_name|default:"We" }} would be glad to show you more in a short '
                "call: just reply with a time that suits you."
            ),
        ),
    ),
)

BUILTINS: dict[str, BuiltinJourney] = {
    journey.key: journey for journey in (WELCOME, WIN_BACK, RE_ENGAGE, LEAD_NURTURING)
}


def builtin_list() -> list[BuiltinJourney]:
    """The built-in journeys, in the order the journeys page offers them."""
    return list(BUILTINS.values())


def builtin_get(key: str) -> BuiltinJourney:
    """The built-in journey `key`; LookupError when there is none."""
    try:
        return BUILTINS[key]
    except KeyError:
        raise LookupError(f"unknown built-in journey {key!r}") from None


def _resolved(value, templates: dict[str, int]):
    """Step params with "@key" template references replaced by ids, lazy texts as text."""
    if isinstance(value, dict):
        return {k: _resolved(v, templates) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_resolved(v, templates) for v in value]
    if isinstance(value, str) and value.startswith("@") and value[1:] in templates:
        return templates[value[1:]]
    if value is not None and not isinstance(value, bool | int | float | str):
        return str(value)  # a lazy translation
    return value


def builtin_journey_spec(*, workspace, actor, template_key: str) -> dict:
    """Make the starter email templates of built-in journey `template_key` in `workspace`
    (marketing's template_create: change events) and return the keyword arguments of
    journeys.services journey_create (without workspace, actor, template_key): name,
    description, trigger, trigger_params, conditions, goal ({"key", "params"} or ""),
    reentry ({"policy", "days"}), steps (list of {key, kind, params, next_key, branches}).
    Texts are in the active language. Raises
    LookupError for an unknown key. Call inside the caller's transaction."""
    spec = builtin_get(template_key)
    templates = {}
    for email in spec.emails:
        template = template_create(
            workspace=workspace,
            actor=actor,
            name=str(email.name),
            subject=str(email.subject),
            html_body=email.html_body(),
            text_body=email.text_body(),
        )
        templates[email.key] = template.pk
    return {
        "name": str(spec.name),
        "description": str(spec.description),
        "trigger": spec.trigger,
        "trigger_params": _resolved(spec.trigger_params, templates),
        "conditions": _resolved(spec.conditions, templates),
        "goal": {"key": spec.goal, "params": _resolved(spec.goal_params, templates)}
        if spec.goal
        else "",
        "reentry": {"policy": spec.reentry, "days": spec.reentry_days},
        "steps": [_resolved(step, templates) for step in spec.steps],
    }


def journey_templates_register() -> None:
    """Register each built-in as a journey template (journeys.journey_templates): its
    `build(workspace)` makes the starter emails (actor: none, the system) and returns the
    journey's arguments."""
    from .journey_templates import JourneyTemplate, register_journey_template

    for spec in builtin_list():
        register_journey_template(
            JourneyTemplate(
                key=spec.key,
                label=spec.name,
                description=spec.description,
                build=_builder(spec.key),
            )
        )


def _builder(key: str):
    def build(workspace, actor=None) -> dict:
        return builtin_journey_spec(workspace=workspace, actor=actor, template_key=key)

    return build


# --- the win-back trigger ------------------------------------------------------------------


def _complaint_closed_unresolved(event, params: dict) -> bool:
    """A case.resolved touch point of a complaint that was closed straight away, never
    resolved: closing an unresolved case sets resolved_at and closed_at to the same moment
    (a case resolved first and closed later has them apart). Reads the case as it is when
    the event is consumed (the consumer runs in the workspace's scope)."""
    from django.db.models import F

    from service.models import Case, CaseStatus, CaseType

    number = event.data.get("case_number")
    if number is None or event.contact_id is None:
        return False
    return Case.objects.filter(
        contact_id=event.contact_id,
        number=number,
        type=CaseType.COMPLAINT,
        status=CaseStatus.CLOSED,
        closed_at=F("resolved_at"),
    ).exists()


def unhappy_trigger():
    """The "customer.unhappy" trigger type (see the module text)."""
    from .triggers import CsatParamsForm, TriggerType

    return TriggerType(
        key=UNHAPPY_TRIGGER,
        label=gettext_lazy("Unhappy customer (satisfaction 1-2, complaint closed unresolved)"),
        kinds=("case.resolved",),
        matches=_complaint_closed_unresolved,
        params_form=CsatParamsForm,
    )


def win_back_on_low_satisfaction(
    *, workspace, contact_id: int, case_id: int, survey_id: int, score: int
) -> int:
    """The on_low_satisfaction hook: enrol the contact in the workspace's live journeys with
    the "customer.unhappy" trigger whose score limit (score_at_most, default 2) the score
    meets. Runs inside csat_answer's transaction (each enrolment in its own savepoint);
    returns how many enrolments were made."""
    from .models import Journey, JourneyStatus
    from .services.enrolling import enrolment_create

    if not contact_id:
        return 0
    made = 0
    for journey in Journey.objects.filter(
        workspace=workspace, status=JourneyStatus.LIVE, trigger=UNHAPPY_TRIGGER
    ).select_related("current_version"):
        limit = (journey.trigger_params or {}).get("score_at_most") or 2
        if score <= int(limit):
            made += (
                enrolment_create(workspace=workspace, journey=journey, contact_id=contact_id)
                is not None
            )
    return made


# --- demo data -----------------------------------------------------------------------------

DEMO_LIVE = ("welcome", "win_back", "lead_nurturing")


def demo_seed(workspace, users, stdout) -> None:
    """seed_demo (order 90, after the apps' data): the built-in journeys, welcome, win-back
    and lead nurturing live (they react to what happens from now on), re-engagement as a
    draft. Idempotent: nothing is added when the workspace has a journey from a template."""
    from workspaces.roles import Role

    from .models import Journey
    from .services import journey_from_template, journey_publish

    if Journey.objects.filter(workspace=workspace).exclude(template_key="").exists():
        return
    actor = users.get(Role.MARKETING) or users.get(Role.OWNER)
    for spec in builtin_list():
        journey = journey_from_template(workspace=workspace, actor=actor, template_key=spec.key)
        if spec.key in DEMO_LIVE:
            journey_publish(workspace=workspace, actor=actor, journey=journey)
    stdout.write(f"Journeys: {len(BUILTINS)} built-in journeys ({len(DEMO_LIVE)} live).")
