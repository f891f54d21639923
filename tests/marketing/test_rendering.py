"""Rendering of untrusted email templates: personalisation, defaults, escaping, sanitising,
refused injection attempts, bounds and problems at their line."""

import pytest

from marketing import rendering
from marketing.rendering import (
    TemplateError,
    personalisation_values,
    render_message,
    template_problems,
)
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.factories import UserFactory


def render(html="", text="", subject="s", **values):
    return render_message(subject=subject, html_body=html, text_body=text, values=values)


def test_fields_and_defaults_fill_in():
    out = render(
        subject="Hi {{ first_name|default:'there' }}",
        text='Dear {{ first_name|default:"friend" }} from {{ company|upper }}',
        first_name="",
        company="acme",
    )
    assert out.subject == "Hi there"
    assert out.text == "Dear friend from ACME"


def test_missing_value_renders_empty_or_default():
    out = render(text="[{{ last_name }}][{{ custom.size|default:'n/a' }}]")
    assert out.text == "[][n/a]"


def test_html_part_escapes_values_text_part_keeps_them_raw():
    out = render(
        html="<p>{{ first_name }}</p>", text="{{ first_name }}", first_name="<b>Tom & Jerry</b>"
    )
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in out.html
    assert "<b>" not in out.html
    assert out.text == "<b>Tom & Jerry</b>"


def test_html_body_is_sanitised():
    out = render(
        html='<p onclick="x()">Hi</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a><img src="https://e.com/a.png" style="width:10px">'
        '<iframe src="https://evil"></iframe>'
    )
    assert "script" not in out.html
    assert "onclick" not in out.html
    assert "javascript" not in out.html
    assert "iframe" not in out.html
    assert 'style="width:10px"' in out.html
    assert "<p>Hi</p>" in out.html


def test_text_part_generated_from_html_when_blank():
    out = render(
        html='<h1>Sale</h1><p>Hello {{ first_name }}</p><a href="https://x.test/a">Shop</a>',
        first_name="Ann",
    )
    assert "Sale" in out.text
    assert "Hello Ann" in out.text
    assert "Shop (https://x.test/a)" in out.text
    assert "<" not in out.text


def test_subject_newlines_cannot_inject_headers():
    out = render(subject="Hi {{ first_name }}", first_name="x\r\nBcc: victim@example.com")
    assert "\n" not in out.subject and "\r" not in out.subject


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}",
        "{% include '/etc/passwd' %}",
        "{% debug %}",
        "{% ssi '/etc/passwd' %}",
        "{# hidden #}",
        "{{ first_name.__class__ }}",
        "{{ first_name.upper }}",
        "{{ first_name|safe }}",
        "{{ first_name|filesizeformat }}",
        "{{ first_name|default:settings.SECRET_KEY }}",
        "{{ request.user }}",
        "{{ first_name|add:'x' }}",
        "{{ 7*7 }}",
        "{{ ''.__class__.__mro__ }}",
        "{{ config }}",
    ],
)
def test_injection_attempts_are_refused(source):
    problems = template_problems(text_body=source)
    assert problems, source
    assert problems[0].line == 1


@pytest.mark.parametrize("name", ["settings", "request", "SECRET_KEY", "contact", "user"])
def test_objects_and_settings_are_not_reachable(name):
    # even when rendered without checking, a name absent from the dict is just empty
    out = render(text="[{{ " + name + " }}]")
    assert out.text == "[]"


def test_render_refuses_tags():
    with pytest.raises(TemplateError) as err:
        render(html="<p>a</p>\n{% load static %}")
    assert err.value.problems[0].line == 2
    assert err.value.problems[0].part == "html"


def test_problems_at_their_line():
    problems = template_problems(
        subject="Hello {{ first_name }}",
        html_body="<p>one</p>\n<p>{{ frist_name }}</p>\n{{ company",
        text_body="ok\nok\n{{ first_name|shout }}",
    )
    assert [(p.part, p.line) for p in problems] == [("html", 2), ("html", 3), ("text", 3)]
    assert "frist_name" in problems[0].message
    assert "shout" in problems[2].message


def test_extra_fields_are_known():
    assert template_problems(text_body="{{ unsubscribe_url }}")
    assert not template_problems(
        text_body="{{ unsubscribe_url }}", extra_fields=["unsubscribe_url"]
    )


def test_good_template_has_no_problems():
    assert not template_problems(
        subject="Hi {{ first_name|default:'there'|title }}",
        html_body="<p>{{ owner_name }} {{ custom.shoe-size }}</p>",
        text_body="{{ company|default:'your company' }}",
    )


def test_output_size_is_bounded(monkeypatch):
    monkeypatch.setattr(rendering, "MAX_OUTPUT_CHARS", 1000)
    with pytest.raises(TemplateError):
        render(text="{{ first_name }}" * 60, first_name="x" * 100)


def test_values_are_cut_and_placeholder_count_bounded(monkeypatch):
    out = render(text="{{ first_name }}", first_name="x" * 10_000)
    assert len(out.text) == rendering.MAX_VALUE_CHARS
    monkeypatch.setattr(rendering, "MAX_PLACEHOLDERS", 5)
    assert template_problems(text_body="{{ email }}" * 6)


def test_template_length_is_bounded(monkeypatch):
    monkeypatch.setattr(rendering, "MAX_TEMPLATE_CHARS", 10)
    assert template_problems(text_body="x" * 11)[0].line == 1


def test_non_string_values_are_ignored():
    out = render(text="[{{ first_name }}]", first_name=object())
    assert out.text == "[]"


@pytest.mark.in_scope
def test_personalisation_values_of_a_contact(workspace):
    owner = UserFactory(first_name="Olga", last_name="Owner")
    account = AccountFactory(workspace=workspace, name="Globex")
    contact = ContactFactory(
        workspace=workspace,
        first_name="Ann",
        last_name="Lee",
        account=account,
        owner=owner,
        custom={"shoe": 42, "hobbies": ["golf", "chess"]},
    )
    values = personalisation_values(contact)
    assert values["first_name"] == "Ann"
    assert values["company"] == "Globex"
    assert values["owner_name"] == "Olga Owner"
    assert values["custom.shoe"] == "42"
    assert values["custom.hobbies"] == "golf, chess"
    assert all(isinstance(v, str) for v in values.values())
    assert set(rendering.PERSONALISATION_FIELDS) <= set(values)
