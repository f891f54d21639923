"""The email input of every form that takes a person's address (contacts, leads, the public
web form): it accepts an address as people paste it and cleans it before it is validated."""

from django import forms

from ..emails import normalize_email


class CleanedEmailField(forms.EmailField):
    """An EmailField that first takes off invisible characters, spaces, `mailto:`, a display
    name's angle brackets and trailing dots (contacts.emails.normalize_email), so a pasted
    "Zoe Brennan <zoe@example.ie>" is the valid zoe@example.ie. Its widget is a text input
    (with the email keyboard on phones): a browser's own email check would refuse such
    input before the server can clean it."""

    widget = forms.TextInput(
        attrs={"inputmode": "email", "autocomplete": "email", "spellcheck": "false"}
    )

    def to_python(self, value):
        return normalize_email(super().to_python(value))
