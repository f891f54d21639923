"""The shapes that many sales pages share: a form whose valid POST goes through a service,
a delete behind a confirmation page, and service errors shown at the form's fields."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from workspaces.forms import apply_service_errors


def form_page(request, form, *, save, title, parent, done, template="sales/form.html", extra=None):
    """Render `form`; a valid POST calls `save(cleaned_data)`, which writes through a service
    and returns the address to go on to. Its ValidationErrors show at the fields; on success
    the `done` message is shown. `parent` is the breadcrumb (label, url name); `extra` adds to
    the template's context."""
    if request.method == "POST" and form.is_valid():
        try:
            url = save(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(url)
    return render(
        request, template, {"title": title, "form": form, "parent": parent, **(extra or {})}
    )


def confirm_delete_page(request, obj, *, delete, title, parent, done, back):
    """A confirmation page for deleting `obj`; the POST calls `delete()` and goes to `back`."""
    if request.method == "POST":
        delete()
        messages.success(request, done)
        return redirect(back)
    return render(
        request,
        "sales/confirm_delete.html",
        {"title": title, "object": obj, "parent": parent},
    )
