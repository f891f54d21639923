"""The rule form as the page draws it: each input once (a form posted as rendered saves),
Bootstrap classes through crispy, an event rule counting towards engagement by default; the
rules list names kinds and channels by their labels and keeps points and cap on a phone."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from scoring.models import ScoringRule
from tests.scoring import factories as f
from touchpoints.registry import interaction_kind_label
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def url(name, **kwargs):
    return reverse(f"scoring:{name}", kwargs={"ws": "acme", **kwargs})


class FormInputs(HTMLParser):
    """The inputs of <form id="rule-form">: (tag, attrs) in page order, and the selected or
    checked value of each, as a browser would post it untouched."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.inputs: list[tuple[str, dict]] = []
        self.select: dict | None = None
        self.options: dict[str, str] = {}
        self.seen: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "rule-form":
            self.inside = True
        elif self.inside and tag in ("input", "select", "textarea") and attrs.get("name"):
            self.inputs.append((tag, attrs))
            if tag == "select":
                self.select = attrs
        elif self.inside and tag == "option" and self.select is not None:
            name, value = self.select["name"], attrs.get("value", "")
            first = not self.first_seen(name)
            if first or "selected" in attrs:
                self.options[name] = value  # the first option unless one is selected

    def first_seen(self, name) -> bool:
        seen = name in self.seen
        self.seen.add(name)
        return seen

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


def parse(html: str) -> FormInputs:
    parser = FormInputs()
    parser.feed(html)
    return parser


def test_the_event_rule_form_draws_each_input_once_and_saves_as_posted(workspace, client_for):
    client = client_for(Role.MARKETING)
    page = client.get(url("rule_new") + "?kind=event")
    assert page.status_code == 200
    form = parse(page.content.decode())
    names = [attrs["name"] for _tag, attrs in form.inputs if attrs["name"] != "csrfmiddlewaretoken"]
    ids = [attrs["id"] for _tag, attrs in form.inputs if attrs.get("id")]
    assert len(names) == len(set(names)), names
    assert len(ids) == len(set(ids)), ids
    assert {"name", "category", "kind", "points", "active", "event_kind", "cap_points"} <= set(
        names
    )
    # post what the page shows: the selects' chosen values, the checked box, typed text
    data: dict = {}
    for tag, attrs in form.inputs:
        name = attrs["name"]
        if name == "csrfmiddlewaretoken" or attrs.get("type") == "submit":
            continue
        if tag == "select":
            data[name] = form.options[name]
        elif attrs.get("type") == "checkbox":
            if "checked" in attrs:
                data[name] = "on"
        else:
            data[name] = attrs.get("value", "")
    data.update(name="Forms", points="7", event_kind="form.submitted")
    response = client.post(url("rule_new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = ScoringRule.objects.get()
    assert (rule.kind, rule.points, rule.category, rule.event_kind) == (
        "event",
        7,
        "engagement",
        "form.submitted",
    )


@pytest.mark.parametrize(
    ("query", "kind", "category"), [("?kind=event", "event", "engagement"), ("", "field", "fit")]
)
def test_a_new_rule_counts_towards_what_its_kind_measures(
    workspace, client_for, query, kind, category
):
    form = parse(client_for(Role.MARKETING).get(url("rule_new") + query).content.decode())
    assert (form.options["kind"], form.options["category"]) == (kind, category)


def test_the_rule_form_has_bootstrap_inputs(workspace, client_for):
    form = parse(client_for(Role.MARKETING).get(url("rule_new") + "?kind=event").content.decode())
    classes = {attrs["name"]: attrs.get("class", "").split() for _t, attrs in form.inputs}
    for name in ("kind", "category", "event_kind", "event_channel", "cap_period"):
        assert {"form-select", "w-100"} <= set(classes[name]), (name, classes[name])
    for name in ("name", "points", "cap_points"):
        assert "form-control" in classes[name], (name, classes[name])
    assert "form-check-input" in classes["active"]


def test_a_refused_rule_keeps_one_error_per_field_and_the_typed_points(workspace, client_for):
    response = client_for(Role.MARKETING).post(
        url("rule_new"),
        {"name": "", "category": "engagement", "kind": "event", "points": "7", "op": "and"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    form = parse(html)
    points = [attrs for _t, attrs in form.inputs if attrs["name"] == "points"]
    assert len(points) == 1 and points[0]["value"] == "7"
    assert html.count("This field is required.") == 1  # the name only


def test_the_rules_list_shows_labels_and_keeps_points_and_cap_on_a_phone(workspace, client_for):
    f.event_rule(
        workspace, name="Clicks", kind="campaign.clicked", channel="email", cap=20, period="week"
    )
    html = client_for(Role.MARKETING).get(url("rules")).content.decode()
    label = str(interaction_kind_label("campaign.clicked"))
    assert label != "Campaign clicked"  # a registered label, not one made from the key
    assert f">{label}</span>" in html
    assert ">campaign.clicked<" not in html and "<code>" not in html
    assert "Email" in html
    phone = html.split('data-testid="rule-row-phone">')[1].split("</div>")[0]
    assert label in phone and "20" in phone
    assert '<td class="text-end fw-semibold">+10</td>' in html  # points: a column on every size
