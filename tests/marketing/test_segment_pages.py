"""The segment pages: the builder (fields posted as the page posts them, JSON by hand), the
live count with its sample (query count asserted on a page with rows), saving, the list's
size, build time and flags, a segment's members, static lists filled by hand, from a
snapshot and from a CSV, and the permissions."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from contacts.models import Contact
from marketing.models import Segment, SegmentMember, Suppression
from tests.contacts.factories import ContactFactory, CustomFieldFactory
from tests.marketing.factories import SegmentFactory, SegmentMemberFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"marketing:{name}", kwargs={"ws": "acme", **kwargs})


WOMEN_WITH_DEGREE = [
    ("op", "and"),
    ("n", "r:0"),
    ("r-0-field", "sex"),
    ("r-0-operator", "in"),
    ("r-0-value", "female"),
    ("n", "r:1"),
    ("r-1-field", "education"),
    ("r-1-operator", "in"),
    ("r-1-value", "master"),
    ("r-1-value", "doctorate"),
]


def form(pairs, **extra):
    data = {}
    for key, value in [*pairs, *extra.items()]:
        data.setdefault(key, []).append(value)
    return data


@pytest.fixture
def people(workspace):
    with workspace_scope(workspace):
        women = [
            ContactFactory(workspace=workspace, sex="female", education="master", email_opt_in=True)
            for _ in range(4)
        ]
        women[1].do_not_mail = True
        women[1].save()
        Suppression.objects.create(
            workspace=workspace, address=women[2].email_key, reason="hard_bounce"
        )
        ContactFactory(workspace=workspace, sex="male", education="master", email_opt_in=True)
        ContactFactory(workspace=workspace, sex="female", education="primary", email_opt_in=True)
        return women


def test_live_count_shows_matches_receivable_and_a_sample_in_few_queries(
    client_for, people, django_assert_max_num_queries
):
    client = client_for(Role.MARKETING)
    with django_assert_max_num_queries(12):  # session, membership, 2 counts, sample, choices
        response = client.post(url("segment_preview"), form(WOMEN_WITH_DEGREE, part="count"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="count-matching">4<' in html
    # without opt-in, with do-not-mail, suppressed: not counted for email sends
    assert 'data-testid="count-receivable">2<' in html
    assert all(escape(str(p)) in html for p in people)


def test_the_query_count_does_not_grow_with_the_rows(
    client_for, workspace, people, django_assert_max_num_queries
):
    client = client_for(Role.MARKETING)
    with workspace_scope(workspace):
        for _ in range(30):
            ContactFactory(workspace=workspace, sex="female", education="doctorate")
    with django_assert_max_num_queries(12):
        response = client.post(url("segment_preview"), form(WOMEN_WITH_DEGREE, part="count"))
    assert 'data-testid="count-matching">34<' in response.content.decode()


def test_changing_a_rules_shape_redraws_the_rules_with_the_count_out_of_band(client_for, people):
    client = client_for(Role.MARKETING)
    response = client.post(
        url("segment_preview"), form(WOMEN_WITH_DEGREE, part="rules", action="add:")
    )
    html = response.content.decode()
    assert html.count('data-testid="rule"') == 3  # a new empty rule
    assert 'hx-swap-oob="innerHTML"' in html and 'data-testid="count-matching">4<' in html
    response = client.post(
        url("segment_preview"), form(WOMEN_WITH_DEGREE, part="rules", action="remove:0")
    )
    assert response.content.decode().count('data-testid="rule"') == 1
    # a new field gets its own operators
    changed = [(k, "age" if k == "r-0-field" else v) for k, v in WOMEN_WITH_DEGREE]
    html = client.post(url("segment_preview"), form(changed, part="rules")).content.decode()
    assert 'value="between" selected' in html and 'name="r-0-min"' in html


def test_saving_the_builder_stores_the_rules_and_shows_the_segment(client_for, workspace, people):
    client = client_for(Role.MARKETING)
    response = client.post(
        url("segment_create"), form(WOMEN_WITH_DEGREE, name="Women with a degree", kind="dynamic")
    )
    assert response.status_code == 302
    with workspace_scope(workspace):
        segment = Segment.objects.get(name="Women with a degree")
    assert segment.rules == {
        "op": "and",
        "rules": [
            {"field": "sex", "operator": "in", "value": ["female"]},
            {"field": "education", "operator": "in", "value": ["master", "doctorate"]},
        ],
    }
    page = client.get(url("segment_detail", pk=segment.pk)).content.decode()
    assert "4 match, 2 can receive email" in page
    client.post(url("segment_build", pk=segment.pk))
    listing = client.get(url("segments")).content.decode()
    segment.refresh_from_db()
    assert segment.member_count == 4 and segment.last_built_at is not None
    assert "Women with a degree" in listing and ">4<" in listing.replace(" ", "")


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"rules_json": '{"op": "and", "rules": [}'}, "not valid JSON (line 1"),
        ({"rules_json": "[1, 2]"}, "must be a JSON object"),
        (
            {
                "rules_json": json.dumps(
                    {
                        "op": "and",
                        "rules": [{"field": "sex", "operator": "drop table", "value": "x"}],
                    }
                )
            },
            "not an operator",
        ),
        (
            {
                "rules_json": json.dumps(
                    {
                        "op": "and",
                        "rules": [{"field": "age", "operator": "gte", "value": "9" * 400}],
                    }
                )
            },
            "is too large",
        ),
        ({"rules_json": "x" * 20_000}, "longer than 16 KB"),
        (
            form(
                [
                    ("n", "r:0"),
                    ("r-0-field", "age"),
                    ("r-0-operator", "between"),
                    ("r-0-min", "50"),
                    ("r-0-max", "20"),
                ]
            ),
            "start is after its end",
        ),
    ],
)
def test_bad_rules_get_a_message_and_nothing_is_saved(client_for, workspace, posted, message):
    client = client_for(Role.MARKETING)
    response = client.post(url("segment_create"), {**posted, "name": "Broken", "kind": "dynamic"})
    assert response.status_code == 400
    assert escape(message) in response.content.decode() or message in response.content.decode()
    assert 'data-testid="rule-error"' in response.content.decode()
    with workspace_scope(workspace):
        assert not Segment.objects.filter(name="Broken").exists()


def test_a_flagged_segment_shows_its_problem_on_the_list_and_its_page(client_for, workspace):
    with workspace_scope(workspace):
        field = CustomFieldFactory(workspace=workspace, key="plan", label="Plan")
        segment = SegmentFactory(
            workspace=workspace,
            kind="dynamic",
            name="Gold plan",
            rules={
                "op": "and",
                "rules": [{"field": "custom.plan", "operator": "is", "value": "gold"}],
            },
        )
        field.delete()
    client = client_for(Role.MARKETING)
    listing = client.get(url("segments")).content.decode()
    assert 'data-testid="segment-problem"' in listing and "custom.plan" in listing
    page = client.get(url("segment_detail", pk=segment.pk)).content.decode()
    assert "needs attention" in page
    edit = client.get(url("segment_edit", pk=segment.pk)).content.decode()
    assert "no longer exists" in edit


def test_static_list_by_hand_snapshot_and_csv(client_for, workspace, other_workspace, people):
    client = client_for(Role.MARKETING)
    with workspace_scope(workspace):
        static = SegmentFactory(workspace=workspace, kind="static", name="Fair visitors")
        source = SegmentFactory(workspace=workspace, kind="static", name="Source")
        SegmentMemberFactory(segment=source, contact=people[0])
        SegmentMemberFactory(segment=source, contact=people[1])
    with workspace_scope(other_workspace):
        stranger = ContactFactory(workspace=other_workspace, email="stranger@example.com")
    client.post(url("segment_member_add", pk=static.pk), {"contact": people[3].pk})
    client.post(url("segment_member_add", pk=static.pk), {"contact": stranger.pk})  # refused
    client.post(url("segment_snapshot", pk=static.pk), {"source": source.pk})
    upload = SimpleUploadedFile(
        "list.csv",
        f"email\n{people[2].email.upper()}\nnobody@example.com\nstranger@example.com\n".encode(),
        content_type="text/csv",
    )
    response = client.post(url("segment_import", pk=static.pk), {"file": upload})
    html = response.content.decode()
    assert "4 rows read" not in html and "3 rows read: 1 matched" in html
    assert "nobody@example.com" in html and "stranger@example.com" in html  # unmatched, listed
    with workspace_scope(workspace):
        members = set(
            SegmentMember.objects.filter(segment=static).values_list("contact_id", "source")
        )
    assert members == {
        (people[3].pk, "manual"),
        (people[0].pk, "snapshot"),
        (people[1].pk, "snapshot"),
        (people[2].pk, "import"),
    }
    client.post(url("segment_member_remove", pk=static.pk), {"contact": [people[3].pk]})
    with workspace_scope(workspace):
        assert SegmentMember.objects.filter(segment=static).count() == 3
        static.refresh_from_db()
        assert static.member_count == 3
    page = client.get(url("segment_detail", pk=static.pk)).content.decode()
    assert page.count('data-testid="member-row"') == 3


def test_a_csv_that_is_no_text_adds_nothing(client_for, workspace):
    with workspace_scope(workspace):
        static = SegmentFactory(workspace=workspace, kind="static")
    upload = SimpleUploadedFile("x.csv", b"\x00\x01\x02\xff" * 100)
    response = client_for(Role.MARKETING).post(
        url("segment_import", pk=static.pk), {"file": upload}
    )
    assert response.status_code == 400 and 'data-testid="import-error"' in response.content.decode()
    with workspace_scope(workspace):
        assert not SegmentMember.objects.filter(segment=static).exists()


def test_members_are_paged(client_for, workspace):
    with workspace_scope(workspace):
        static = SegmentFactory(workspace=workspace, kind="static")
        for _ in range(55):
            SegmentMemberFactory(segment=static, contact=ContactFactory(workspace=workspace))
    client = client_for(Role.READONLY)
    first = client.get(url("segment_detail", pk=static.pk)).content.decode()
    assert first.count('data-testid="member-row"') == 50 and 'data-testid="next-page"' in first
    with workspace_scope(workspace):
        last_id = sorted(
            SegmentMember.objects.filter(segment=static).values_list("contact_id", flat=True)
        )[49]
    second = client.get(url("segment_detail", pk=static.pk) + f"?after={last_id}").content.decode()
    assert second.count('data-testid="member-row"') == 5


def test_permissions(client_for, workspace):
    with workspace_scope(workspace):
        segment = SegmentFactory(workspace=workspace, kind="static")
    reader = client_for(Role.READONLY)
    assert reader.get(url("segments")).status_code == 200
    assert reader.get(url("segment_detail", pk=segment.pk)).status_code == 200
    assert reader.post(url("segment_create"), {"name": "x", "kind": "static"}).status_code == 403
    assert reader.post(url("segment_build", pk=segment.pk)).status_code == 403
    assert client_for(Role.SALES).get(url("segments")).status_code == 403
    with workspace_scope(workspace):
        assert Contact.objects.count() == 0


def test_rule_choices_and_counts_stay_in_the_workspace(client_for, workspace, other_workspace):
    with workspace_scope(other_workspace):
        foreign = SegmentFactory(workspace=other_workspace, kind="static", name="Their list")
        SegmentMemberFactory(segment=foreign, contact=ContactFactory(workspace=other_workspace))
        ContactFactory(workspace=other_workspace, sex="female")
        from tests.contacts.factories import TagFactory

        their_tag = TagFactory(workspace=other_workspace, name="their-tag")
    client = client_for(Role.MARKETING)
    page = client.get(url("segment_create")).content.decode()
    assert "Their list" not in page
    count = client.post(
        url("segment_preview"),
        form(
            [("n", "r:0"), ("r-0-field", "sex"), ("r-0-operator", "in"), ("r-0-value", "female")],
            part="count",
        ),
    )
    assert 'data-testid="count-matching">0<' in count.content.decode()
    for field, value in (("segment", foreign.pk), ("tags", their_tag.pk)):
        posted = form(
            [("n", "r:0"), ("r-0-field", field), ("r-0-operator", "in"), ("r-0-value", str(value))],
            part="rules",
        )
        html = client.post(url("segment_preview"), posted).content.decode()
        assert "no longer one of the choices" in html and "their-tag" not in html


def test_a_count_request_whose_rule_changed_field_redraws_the_rules(client_for, people):
    client = client_for(Role.MARKETING)
    shown = [("r-0-shown", "sex|in"), ("r-1-shown", "education|in")]
    same = client.post(url("segment_preview"), form([*WOMEN_WITH_DEGREE, *shown], part="count"))
    assert "HX-Retarget" not in same.headers and 'data-testid="rule"' not in same.content.decode()
    changed = [(k, "age" if k == "r-0-field" else v) for k, v in [*WOMEN_WITH_DEGREE, *shown]]
    redrawn = client.post(url("segment_preview"), form(changed, part="count"))
    assert redrawn.headers["HX-Retarget"] == "#rules-builder"
    html = redrawn.content.decode()
    assert 'name="r-0-min"' in html and 'hx-swap-oob="innerHTML"' in html


def test_count_errors_name_the_rule_as_people_count(client_for, people):
    posted = form(
        [("n", "r:0"), ("r-0-field", "sex"), ("r-0-operator", "in"), ("r-0-value", "robot")],
        part="count",
    )
    html = client_for(Role.MARKETING).post(url("segment_preview"), posted).content.decode()
    assert "Rule 1: " in html and "not one of the choices" in html


def _nested(depth):
    tree = {"op": "and", "rules": [{"field": "sex", "operator": "in", "value": ["female"]}]}
    for _ in range(depth):
        tree = {"op": "or", "rules": [tree]}
    return tree


DEEP_JSON = json.dumps(_nested(200))


@pytest.mark.parametrize(
    "posted",
    [
        {"rules_json": DEEP_JSON, "part": "rules"},
        {"rules_json": DEEP_JSON, "part": "count"},
        # the same depth as form fields: groups "0", "0.0", "0.0.0", ...
        form(
            [("n", "g:" + ".".join(["0"] * (level + 1))) for level in range(199)],
            part="rules",
        ),
    ],
)
def test_a_deeply_nested_preview_is_refused_with_a_message(client_for, posted):
    response = client_for(Role.MARKETING).post(url("segment_preview"), posted)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Groups nest at most 3 levels deep." in html
    assert html.count("<fieldset") <= 3


def test_a_deeply_nested_tree_is_neither_created_nor_saved_over_a_segment(client_for, workspace):
    with workspace_scope(workspace):
        segment = SegmentFactory(workspace=workspace, kind="dynamic", name="Kept", rules=_nested(0))
    client = client_for(Role.MARKETING)
    created = client.post(
        url("segment_create"), {"rules_json": DEEP_JSON, "name": "Deep", "kind": "dynamic"}
    )
    edited = client.post(
        url("segment_edit", pk=segment.pk), {"rules_json": DEEP_JSON, "name": "Renamed"}
    )
    for response in (created, edited):
        assert response.status_code == 400
        assert "Groups nest at most 3 levels deep." in response.content.decode()
    with workspace_scope(workspace):
        assert not Segment.objects.filter(name__in=["Deep", "Renamed"]).exists()
        segment.refresh_from_db()
        assert segment.rules == _nested(0)


def test_more_rules_than_a_segment_holds_are_refused_before_checking():
    from contacts.segment_builder import tree_from_json
    from contacts.segment_rules import MAX_RULES, tree_shape_error

    rule = {"field": "sex", "operator": "in", "value": ["female"]}
    tree, error = tree_from_json(json.dumps({"op": "and", "rules": [rule] * (MAX_RULES + 1)}))
    assert tree is None and error == f"A segment holds at most {MAX_RULES} rules."
    assert tree_shape_error({"op": "and", "rules": [rule] * MAX_RULES}) == ""
    assert tree_shape_error(_nested(2)) == ""
    assert "3 levels" in tree_shape_error(_nested(3))


SEX_PICKED = [("n", "r:0"), ("r-0-field", "sex"), ("r-0-shown", "|")]


def test_a_field_just_picked_shows_no_message_until_saved(client_for, workspace, people):
    client = client_for(Role.MARKETING)
    # picking the field redraws the rule (its operator and choices), no value chosen yet
    picked = client.post(url("segment_preview"), form(SEX_PICKED, part="count"))
    html = picked.content.decode()
    assert 'data-testid="rule-value"' in html
    assert "None" not in html and 'data-testid="rule-error"' not in html
    assert 'data-testid="count-errors"' not in html
    # saving it is refused, with the message where the value goes
    saved = client.post(
        url("segment_create"),
        form([("n", "r:0"), ("r-0-field", "sex"), ("r-0-operator", "in")], name="Half"),
    )
    assert saved.status_code == 400
    html = saved.content.decode()
    assert "Choose a value." in html and "None" not in html
    assert 'name="errors-shown" value="#0"' in html
    with workspace_scope(workspace):
        assert not Segment.objects.filter(name="Half").exists()


def test_a_message_next_to_a_rule_goes_when_its_value_is_valid(client_for, people):
    ticked = [
        ("n", "r:0"),
        ("r-0-field", "sex"),
        ("r-0-operator", "in"),
        ("r-0-shown", "sex|in"),
        ("r-0-value", "female"),
    ]
    client = client_for(Role.MARKETING)
    # the page drew "Choose a value." next to rule 1; the value is now ticked
    response = client.post(
        url("segment_preview"), form(ticked, part="count", **{"errors-shown": "#0"})
    )
    html = response.content.decode()
    assert response["HX-Retarget"] == "#rules-builder"  # the rules are redrawn ...
    assert 'data-testid="rule-error"' not in html  # ... without the message
    assert 'name="errors-shown" value=""' in html
    assert 'data-testid="count-matching">' in html
    # nothing drawn next to the rules: the count alone, as before
    quiet = client.post(url("segment_preview"), form(ticked, part="count"))
    assert "HX-Retarget" not in quiet and 'data-testid="rule"' not in quiet.content.decode()


@pytest.mark.parametrize(
    ("value", "empty"),
    [
        (None, True),
        (" ", True),
        ([], True),
        (["", ""], True),
        ({"channel": "", "days": ""}, True),
        ({"count": ["", ""], "days": ""}, True),
        ({"count": ["", "5"], "days": ""}, False),
        (["female"], False),
        (0, False),
    ],
)
def test_a_value_nobody_entered_is_empty(value, empty):
    from contacts.segment_rules import value_empty

    assert value_empty(value) is empty
