"""The personalised-message renderer (marketing.rendering) under arbitrary template text and
contact values: it renders or raises TemplateError with a line and a message; values are
inserted once (never read as template text again), escaped in HTML, and nothing but the flat
dict of values is reachable (no attribute, setting or tag)."""

import pytest
from django.conf import settings
from hypothesis import given, strategies as st

from marketing.rendering import (
    PERSONALISATION_FIELDS,
    TemplateError,
    render_message,
    template_problems,
)

from .strategies import FUZZ, HOSTILE_STRINGS, html_dangers, text

NAMES = [*PERSONALISATION_FIELDS, "custom.url", "custom.note", "unsubscribe_url"]
FRAGMENTS = [
    "{{",
    "}}",
    "{{ first_name }}",
    "{{ custom.url }}",
    '{{ first_name|default:"there" }}',
    "{{ last_name|upper|title }}",
    "{{ email|lower|capfirst }}",
    "{{ first_name|safe }}",
    "{{ first_name|default }}",
    "{{ settings.SECRET_KEY }}",
    "{{ contact.__class__.__mro__ }}",
    "{{ _private }}",
    "{{ request.user.password }}",
    "{% load static %}",
    "{% debug %}",
    "{% include '/etc/passwd' %}",
    "{# note #}",
    "{%",
    "%}",
    "|",
    '"',
    "'",
    "\n",
    "\r",
    "<script>alert(1)</script>",
    '<a href="{{ custom.url }}">x</a>',
    '<img src="{{ custom.url }}" onerror="alert(1)">',
    "<a href='javascript:alert(1)'>y</a>",
    "<p>",
    "</p>",
]
template_text = st.one_of(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), text), max_size=12).map("".join),
    text,
)
values = st.dictionaries(
    st.one_of(st.sampled_from(NAMES), text),
    st.one_of(st.sampled_from(HOSTILE_STRINGS), text, st.integers(), st.none()),
    max_size=8,
)


def _render(subject, html_body, text_body, vals):
    try:
        return render_message(
            subject=subject, html_body=html_body, text_body=text_body, values=vals
        )
    except TemplateError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and str(problem.message)
        return None


@FUZZ
@given(subject=template_text, html_body=template_text, text_body=template_text, vals=values)
def test_any_template_renders_or_names_its_problems(subject, html_body, text_body, vals):
    problems = template_problems(
        subject=subject, html_body=html_body, text_body=text_body, extra_fields=["unsubscribe_url"]
    )
    for problem in problems:
        assert problem.line >= 1 and problem.part in ("subject", "html", "text")
    out = _render(subject, html_body, text_body, vals)
    if out is None:
        return
    assert "\n" not in out.subject and "\r" not in out.subject
    assert settings.SECRET_KEY not in out.subject + out.html + out.text
    assert not html_dangers(out.html), out.html


@FUZZ
@given(vals=values, hostile=st.sampled_from(HOSTILE_STRINGS), name=st.sampled_from(NAMES))
def test_values_are_escaped_and_never_read_as_template_text(vals, hostile, name):
    vals = {**vals, name: "{{ owner_email }}{% debug %}" + hostile}
    vals["owner_email"] = "owner-secret@example.com"
    body = f'<p>Hi {{{{ {name} }}}}</p><a href="{{{{ {name} }}}}">link</a>'
    out = render_message(subject=f"{{{{ {name} }}}}", html_body=body, text_body="", values=vals)
    assert not html_dangers(out.html), out.html
    if name != "owner_email":
        # the value's own braces stay literal text: no second pass reads them
        assert "{{ owner_email }}" in out.text
        assert out.subject.count("owner-secret@example.com") == 0


@pytest.mark.parametrize(
    "source",
    [
        "{{ settings.SECRET_KEY }}",
        "{{ SECRET_KEY }}",
        "{{ custom.__dict__ }}",
        "{{ first_name.__class__ }}",
        "{% load log %}{% get_admin_log 10 as log %}",
        "{% debug %}",
        "{{ first_name|safe }}",
        "{{ first_name|add:7 }}",
    ],
)
def test_nothing_outside_the_values_is_reachable(source):
    try:
        out = render_message(subject="s", html_body=source, text_body=source, values={})
    except TemplateError as exc:
        assert exc.problems
        return
    assert out.html.strip() in ("", "<p></p>") and out.text.strip() == ""
