"""Each segment rule kind against real rows (contacts.segment_rules), AND/OR groups, bad
input at the rule, stale rules flagging their segment, "member of segment" and its cycles."""

import datetime

import pytest
from django.utils import timezone

from contacts.segment_rules import (
    MAX_RULES,
    RuleContext,
    RulesInvalid,
    SegmentRule,
    age_q,
    register_segment_rule,
    rules_compile,
)
from marketing.selectors.segments import SegmentProblem, rules_contacts, segment_contacts
from marketing.services.segments import (
    segment_build,
    segment_create,
    segment_update,
    segments_check,
)
from tests.contacts.factories import (
    ContactFactory,
    ContactTagFactory,
    CustomFieldFactory,
    TagFactory,
)
from tests.factories import MembershipFactory
from tests.marketing.factories import SegmentFactory, SegmentMemberFactory
from tests.sales.factories import deal_make
from touchpoints.models import Interaction
from touchpoints.services import interaction_record

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def rule(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


def tree(*rules, op="and"):
    return {"op": op, "rules": list(rules)}


def matching(workspace, *rules, op="and"):
    return set(
        rules_contacts(workspace=workspace, rules=tree(*rules, op=op)).values_list("pk", flat=True)
    )


def years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def test_sex_and_education_choose_by_value(workspace):
    anna = ContactFactory(workspace=workspace, sex="female", education="master")
    ben = ContactFactory(workspace=workspace, sex="male", education="master")
    ContactFactory(workspace=workspace, sex="female", education="primary")
    assert matching(
        workspace, rule("sex", "in", ["female"]), rule("education", "in", ["master"])
    ) == {anna.pk}
    assert matching(workspace, rule("education", "in", ["master"])) == {anna.pk, ben.pk}
    assert anna.pk not in matching(workspace, rule("sex", "not_in", ["female"]))


def test_age_is_whole_years_today_and_reads_a_date_of_birth_range(workspace):
    thirty_today = ContactFactory(workspace=workspace, date_of_birth=years_ago(30))
    almost_thirty = ContactFactory(workspace=workspace, date_of_birth=years_ago(30, days=-1))
    forty_five = ContactFactory(workspace=workspace, date_of_birth=years_ago(45, days=200))
    forty_six = ContactFactory(workspace=workspace, date_of_birth=years_ago(46))
    ContactFactory(workspace=workspace, date_of_birth=None)
    assert matching(workspace, rule("age", "between", [30, 45])) == {thirty_today.pk, forty_five.pk}
    assert matching(workspace, rule("age", "lte", 29)) == {almost_thirty.pk}
    assert matching(workspace, rule("age", "gte", 46)) == {forty_six.pk}
    # compiled to a range on the column (an index serves it), no function of the date
    sql = str(
        rules_contacts(workspace=workspace, rules=tree(rule("age", "between", [30, 45]))).query
    )
    assert "date_of_birth" in sql and "EXTRACT" not in sql.upper()


def test_age_counts_on_the_workspace_clocks(workspace, settings):
    workspace.time_zone = "Pacific/Kiritimati"  # UTC+14: its "today" is ahead of UTC's
    workspace.save()
    q = age_q(workspace, "gte", 30)
    local_today = timezone.now().astimezone(datetime.timezone(datetime.timedelta(hours=14))).date()
    expected = (
        local_today.replace(year=local_today.year - 30)
        if local_today.day != 29 or local_today.month != 2
        else None
    )
    if expected:
        assert ("date_of_birth__lte", expected) in q.children


def test_text_rules_on_country_and_city(workspace):
    berlin = ContactFactory(workspace=workspace, city="Berlin", country="Germany")
    ContactFactory(workspace=workspace, city="Bern", country="Switzerland")
    assert matching(workspace, rule("city", "is", "berlin")) == {berlin.pk}
    assert len(matching(workspace, rule("city", "starts_with", "Ber"))) == 2
    assert matching(workspace, rule("country", "contains", "erman")) == {berlin.pk}


def test_lifecycle_stage_tags_and_owner(workspace):
    rep = MembershipFactory(workspace=workspace).user
    vip = TagFactory(workspace=workspace, name="vip")
    tagged = ContactFactory(workspace=workspace, lifecycle_stage="customer", owner=rep)
    ContactTagFactory(workspace=workspace, contact=tagged, tag=vip)
    other = ContactFactory(workspace=workspace, lifecycle_stage="lead")
    assert matching(workspace, rule("lifecycle_stage", "in", ["customer"])) == {tagged.pk}
    assert matching(workspace, rule("tags", "in", [vip.pk])) == {tagged.pk}
    assert matching(workspace, rule("tags", "not_in", [vip.pk])) == {other.pk}
    assert matching(workspace, rule("owner", "in", [rep.pk])) == {tagged.pk}
    assert matching(workspace, rule("owner", "is_empty")) == {other.pk}


def test_created_date_and_consent(workspace):
    old = ContactFactory(workspace=workspace, email_opt_in=True)
    old.created_at = timezone.now() - datetime.timedelta(days=400)
    old.save(update_fields=["created_at"])
    new = ContactFactory(workspace=workspace, do_not_mail=True)
    assert matching(workspace, rule("created", "within_days", 30)) == {new.pk}
    assert matching(workspace, rule("created", "older_than_days", 365)) == {old.pk}
    assert matching(workspace, rule("created", "before", timezone.localdate().isoformat())) == {
        old.pk
    }
    assert matching(workspace, rule("email_opt_in", "is_true")) == {old.pk}
    assert matching(workspace, rule("do_not_mail", "is_true")) == {new.pk}


def test_custom_fields_by_type(workspace):
    CustomFieldFactory(workspace=workspace, key="shoe", label="Shoe size", field_type="number")
    CustomFieldFactory(
        workspace=workspace,
        key="plan",
        label="Plan",
        field_type="choice",
        choices=["gold", "basic"],
    )
    CustomFieldFactory(workspace=workspace, key="club", label="Club", field_type="boolean")
    big = ContactFactory(workspace=workspace, custom={"shoe": 46, "plan": "gold", "club": True})
    small = ContactFactory(workspace=workspace, custom={"shoe": 38, "plan": "basic"})
    assert matching(workspace, rule("custom.shoe", "gte", 40)) == {big.pk}
    assert matching(workspace, rule("custom.shoe", "between", [30, 40])) == {small.pk}
    assert matching(workspace, rule("custom.plan", "in", ["basic"])) == {small.pk}
    assert matching(workspace, rule("custom.club", "is_true")) == {big.pk}


def test_behaviour_channel_within_days_count_and_untouched(workspace):
    called = ContactFactory(workspace=workspace)
    busy = ContactFactory(workspace=workspace)
    quiet = ContactFactory(workspace=workspace)
    interaction_record(
        workspace=workspace, actor=None, contact=called, channel="phone", kind="call.logged"
    )
    for _ in range(3):
        interaction_record(
            workspace=workspace, actor=None, contact=busy, channel="sms", kind="sms.logged"
        )
    old = interaction_record(
        workspace=workspace, actor=None, contact=quiet, channel="phone", kind="call.logged"
    )
    Interaction.objects.filter(pk=old.pk).update(
        occurred_at=timezone.now() - datetime.timedelta(days=200)
    )
    quiet.refresh_from_db()
    quiet.last_interaction_at = timezone.now() - datetime.timedelta(days=200)
    quiet.save(update_fields=["last_interaction_at"])
    phone_30 = {"channel": "phone", "days": 30}
    assert matching(workspace, rule("interaction_channel", "within", phone_30)) == {called.pk}
    assert quiet.pk in matching(workspace, rule("interaction_channel", "not_within", phone_30))
    assert matching(workspace, rule("interaction_count", "gte", {"count": 2, "days": 30})) == {
        busy.pk
    }
    at_most_one = matching(workspace, rule("interaction_count", "lte", {"count": 1, "days": 30}))
    assert at_most_one == {called.pk, quiet.pk}  # zero touch points count as "at most one"
    assert matching(workspace, rule("untouched", "at_least_days", 90)) == {quiet.pk}


def test_won_deal_rule_registered_by_sales(workspace):
    winner = ContactFactory(workspace=workspace)
    ContactFactory(workspace=workspace)
    deal = deal_make(workspace, contact=winner)
    type(deal).objects.filter(pk=deal.pk).update(won_at=timezone.now(), closed_at=timezone.now())
    assert matching(workspace, rule("has_won_deal", "is_true")) == {winner.pk}


def test_and_or_groups_nest(workspace):
    anna = ContactFactory(workspace=workspace, sex="female", city="Berlin")
    ben = ContactFactory(workspace=workspace, sex="male", city="Hamburg")
    ContactFactory(workspace=workspace, sex="male", city="Berlin")
    either = tree(rule("sex", "in", ["female"]), rule("city", "is", "Hamburg"), op="or")
    assert matching(workspace, *either["rules"], op="or") == {anna.pk, ben.pk}
    nested = tree(
        rule("city", "is", "Berlin"),
        tree(rule("sex", "in", ["female"]), rule("sex", "in", ["diverse"]), op="or"),
    )
    assert set(rules_contacts(workspace=workspace, rules=nested).values_list("pk", flat=True)) == {
        anna.pk
    }


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (rule("sex", "like", "f%"), "not an operator"),
        (rule("sex", "in", ["robot"]), "not one of the choices"),
        (rule("age", "between", [45, 30]), "start is after its end"),
        (rule("age", "between", ["thirty", 45]), "not a whole number"),
        (rule("age", "gte", 10**30), "too large"),
        (rule("age", "gte", 151), "between 0 and 150"),
        (rule("city", "is", "x" * 5000), "at most 200"),
        (rule("created", "before", "31.12.2020"), "not a date"),
        (rule("interaction_channel", "within", "phone"), "channel"),
        ({"oops": 1}, "Choose a field"),
        ("not a rule", "must be an object"),
    ],
)
def test_bad_values_get_a_message_at_their_rule(workspace, bad, message):
    with pytest.raises(RulesInvalid) as caught:
        rules_compile(workspace, tree(rule("sex", "in", ["female"]), bad))
    assert list(caught.value.errors) == ["1"]
    assert message in caught.value.errors["1"]


def test_too_many_rules_and_too_deep_groups_are_refused(workspace):
    with pytest.raises(RulesInvalid) as caught:
        rules_compile(workspace, tree(*[rule("sex", "in", ["female"])] * (MAX_RULES + 1)))
    assert str(MAX_RULES) in caught.value.errors[str(MAX_RULES)]
    deep = tree(tree(tree(tree(rule("sex", "in", ["female"])))))
    with pytest.raises(RulesInvalid) as caught:
        rules_compile(workspace, deep)
    assert "levels deep" in " ".join(caught.value.errors.values())


def test_a_deleted_custom_field_flags_the_segment_instead_of_an_empty_audience(workspace, owner):
    field = CustomFieldFactory(workspace=workspace, key="plan", label="Plan", field_type="text")
    ContactFactory(workspace=workspace, custom={"plan": "gold"})
    segment = segment_create(
        workspace=workspace, actor=owner, name="Gold", rules=tree(rule("custom.plan", "is", "gold"))
    )
    assert segment_contacts(segment).count() == 1
    field.delete()
    with pytest.raises(SegmentProblem) as caught:
        segment_contacts(segment)
    assert "custom.plan" in caught.value.message and "no longer exists" in caught.value.message
    with pytest.raises(SegmentProblem):
        segment_build(workspace=workspace, actor=owner, segment=segment)
    segment.refresh_from_db()
    assert "no longer exists" in segment.problem
    assert segment.last_built_at is None


def test_an_unregistered_key_and_a_deleted_tag_flag_on_the_check(workspace, owner):
    tag = TagFactory(workspace=workspace)
    by_tag = segment_create(
        workspace=workspace, actor=owner, name="Tagged", rules=tree(rule("tags", "in", [tag.pk]))
    )
    unknown = SegmentFactory(
        workspace=workspace, kind="dynamic", rules=tree(rule("gone_rule", "is_true"))
    )
    tag.delete()
    segments_check(workspace=workspace, segments=[by_tag, unknown])
    by_tag.refresh_from_db()
    unknown.refresh_from_db()
    assert "no longer one of the choices" in by_tag.problem
    assert "“gone_rule” no longer exists" in unknown.problem


def test_registering_a_rule_twice_or_with_an_unknown_operator_fails():
    with pytest.raises(ValueError):
        register_segment_rule(
            SegmentRule("sex", "Sex", "Person", ("in",), "choice", lambda *a: None)
        )
    with pytest.raises(ValueError):
        SegmentRule("x", "X", "G", ("like",), "text", lambda *a: None)


def test_member_of_segment_reads_the_stored_membership(workspace, owner):
    listed, other = ContactFactory(workspace=workspace), ContactFactory(workspace=workspace)
    source = SegmentFactory(workspace=workspace, kind="static")
    SegmentMemberFactory(segment=source, contact=listed)
    assert matching(workspace, rule("segment", "in", source.pk)) == {listed.pk}
    assert matching(workspace, rule("segment", "not_in", source.pk)) == {other.pk}


def test_cycles_through_member_of_segment_are_refused(workspace, owner):
    a = segment_create(
        workspace=workspace, actor=owner, name="A", rules=tree(rule("sex", "in", ["female"]))
    )
    b = segment_create(
        workspace=workspace, actor=owner, name="B", rules=tree(rule("segment", "in", a.pk))
    )
    with pytest.raises(Exception) as caught:
        segment_update(
            workspace=workspace,
            actor=owner,
            segment=a,
            name="A",
            rules=tree(rule("segment", "in", b.pk)),
        )
    assert "A → B → A" in str(caught.value)
    with pytest.raises(Exception) as caught:
        segment_update(
            workspace=workspace,
            actor=owner,
            segment=a,
            name="A",
            rules=tree(rule("segment", "in", a.pk)),
        )
    assert "contain itself" in str(caught.value)
    a.refresh_from_db()
    assert a.rules == tree(rule("sex", "in", ["female"]))  # nothing saved


def test_another_workspaces_tag_or_segment_is_not_a_choice(workspace, other_workspace, owner):
    foreign_tag = TagFactory(workspace=other_workspace)
    foreign_segment = SegmentFactory(workspace=other_workspace)
    for bad in (rule("tags", "in", [foreign_tag.pk]), rule("segment", "in", foreign_segment.pk)):
        with pytest.raises(RulesInvalid):
            rules_compile(workspace, tree(bad), ctx=RuleContext(workspace))
