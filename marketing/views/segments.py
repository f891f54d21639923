"""The segment pages: the list (size, last build, flags), the builder (AND/OR groups, a live
count and sample while editing, htmx), a segment's page with its members (keyset-paged), and
the static list's fillers. Thin: parse, call a selector or service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from contacts.segment_builder import (
    error_list,
    error_paths,
    tree_from_form,
    tree_from_json,
    tree_view,
)
from contacts.segment_rules import NO_VALUE, RuleContext, RulesInvalid, value_empty
from workspaces.mixins import workspace_view
from workspaces.urlnames import workspace_reverse

from ..areas import AREAS
from ..forms.segments import MemberAddForm, MemberImportForm, SegmentForm, SnapshotForm
from ..models import Segment
from ..selectors.segments import (
    SegmentProblem,
    audience_figures,
    rules_contacts,
    segment_contacts,
    segment_list,
    segment_members_page,
)
from ..services.segments import (
    segment_build,
    segment_create,
    segment_delete,
    segment_fill_from_csv,
    segment_fill_from_snapshot,
    segment_members_add,
    segment_members_remove,
    segment_update,
    segments_check,
)

EMPTY_TREE = {"op": "and", "rules": []}


def _segment(request, pk) -> Segment:
    try:
        return Segment.objects.get(workspace=request.workspace, pk=pk)
    except Segment.DoesNotExist:
        raise Http404 from None


class _NotPost(Exception):
    pass


def _posted_segment(request, pk) -> Segment:
    """The segment of an action (looked up first: another workspace's id is a 404 whatever
    the method), and _NotPost for anything but POST."""
    segment = _segment(request, pk)
    if request.method != "POST":
        raise _NotPost
    return segment


def post_only(view):
    """The action answers 405 to anything but POST (after its segment was found)."""

    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _NotPost:
            return HttpResponseNotAllowed(["POST"])

    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return wrapper


def _area_context(title):
    return {"areas": AREAS, "area_key": "segments", "title": title}


@require_safe
@workspace_view("marketing.view")
def segment_list_view(request):
    """Every segment with its kind, size, last build time and flag (rules re-checked)."""
    segments = segments_check(
        workspace=request.workspace, segments=list(segment_list(workspace=request.workspace))
    )
    return render(
        request,
        "marketing/segments/list.html",
        {**_area_context(_("Segments")), "segments": segments},
    )


def _tree_from_post(request, ctx) -> tuple[dict, dict]:
    """(tree, errors known before compiling) from the builder's POST."""
    text = request.POST.get("rules_json", "").strip()
    if text:
        tree, error = tree_from_json(text)
        if tree is None:
            return EMPTY_TREE, {"": error}
        return tree, {}
    tree, error = tree_from_form(request.POST, ctx)
    return tree, ({"": error} if error else {})


def _chosen_only(tree):
    """The tree without rules whose field or value is not chosen yet (a rule just added, a
    field just picked): the live count leaves them out while editing, with no message;
    saving refuses them ("Choose a field.", "Choose a value.")."""
    if not isinstance(tree, dict) or not isinstance(tree.get("rules"), list):
        return tree
    kept = []
    for child in tree["rules"]:
        if isinstance(child, dict) and "rules" in child:
            kept.append(_chosen_only(child))
        elif not (
            isinstance(child, dict)
            and (
                child.get("field") in ("", None)
                or (child.get("operator") not in NO_VALUE and value_empty(child.get("value")))
            )
        ):
            kept.append(child)
    return {**tree, "rules": kept}


def _figures(workspace, tree, ctx, *, editing=False) -> tuple[dict | None, dict]:
    """The live count's figures, or (None, errors) when the tree is wrong."""
    try:
        contacts = rules_contacts(
            workspace=workspace, rules=_chosen_only(tree) if editing else tree, ctx=ctx
        )
    except RulesInvalid as exc:
        return None, exc.errors
    return audience_figures(contacts, workspace=workspace), {}


def _builder_context(request, *, segment, tree, errors, ctx, figures, form, kind):
    return {
        **_area_context(segment.name if segment else _("New segment")),
        "segment": segment,
        "kind": kind,
        "form": form,
        "builder": tree_view(tree, ctx, errors),
        "figures": figures,
        "errors": errors,
        "preview_url": workspace_reverse(request.workspace, "marketing:segment_preview"),
    }


def _shape_changed(data) -> bool:
    """True when a rule's field or operator differs from what its inputs were drawn for
    (`r-<path>-shown`): its value inputs must be redrawn, not only the count."""
    for entry in data.getlist("n")[:200]:
        kind, _sep, path = entry.partition(":")
        if kind == "r":
            posted = f"{data.get(f'r-{path}-field', '')}|{data.get(f'r-{path}-operator', '')}"
            if posted != data.get(f"r-{path}-shown", posted):
                return True
    return False


@workspace_view("marketing.edit")
def segment_preview(request):
    """htmx: the builder's live count and sample (`part=count`), or the rules redrawn after
    a change of shape or field (`part=rules`, the count swapped in out of band)."""
    if request.method != "POST":
        raise Http404
    ctx = RuleContext(request.workspace)
    tree, errors = _tree_from_post(request, ctx)
    figures = None
    if not errors:
        figures, errors = _figures(request.workspace, tree, ctx, editing=True)
    # messages drawn next to the rules (`errors-shown`) that no longer hold are redrawn away
    shown = request.POST.get("errors-shown", "")[:2000]
    stale_messages = bool(shown) and shown != error_paths(errors)
    if (
        request.POST.get("part") != "rules"
        and not _shape_changed(request.POST)
        and not stale_messages
    ):
        # the count alone: no redraw of the rules (and no read of every rule's choices)
        context = {
            "figures": figures,
            "errors": errors,
            "builder": {"error_list": error_list(errors)},
        }
        return render(request, "marketing/segments/builder.html#count", context)
    context = _builder_context(
        request,
        segment=None,
        tree=tree,
        errors=errors,
        ctx=ctx,
        figures=figures,
        form=None,
        kind="dynamic",
    )
    response = render(request, "marketing/segments/_preview_rules.html", context)
    response["HX-Retarget"] = "#rules-builder"  # also for a count request whose rule changed kind
    response["HX-Reswap"] = "innerHTML"
    return response


def _builder(request, *, segment=None):
    kind = (
        segment.kind
        if segment
        else ("static" if request.GET.get("kind") == "static" else "dynamic")
    )
    if request.method == "POST" and not segment:
        kind = "static" if request.POST.get("kind") == "static" else "dynamic"
    ctx = RuleContext(request.workspace)
    tree = segment.rules if segment else EMPTY_TREE
    errors: dict = {}
    initial = {"name": segment.name, "description": segment.description} if segment else None
    form = SegmentForm(request.POST or None, workspace=request.workspace, initial=initial)
    if request.method == "POST":
        if kind == "dynamic":
            tree, errors = _tree_from_post(request, ctx)
        reshaping = bool(request.POST.get("action"))  # add/remove without JavaScript
        if form.is_valid() and not errors and not reshaping:
            try:
                if segment:
                    segment = segment_update(
                        workspace=request.workspace,
                        actor=request.user,
                        segment=segment,
                        name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"],
                        rules=tree,
                    )
                else:
                    segment = segment_create(
                        workspace=request.workspace,
                        actor=request.user,
                        name=form.cleaned_data["name"],
                        description=form.cleaned_data["description"],
                        kind=kind,
                        rules=tree,
                    )
            except ValidationError as exc:
                for key, messages_ in exc.message_dict.items():
                    if key.startswith("rules:"):
                        errors[key.removeprefix("rules:")] = " ".join(messages_)
                    elif key in form.fields:
                        form.add_error(key, messages_)
                    else:
                        errors[""] = " ".join(messages_)
            else:
                messages.success(
                    request, _("Saved the segment “%(name)s”.") % {"name": segment.name}
                )
                return redirect(
                    workspace_reverse(request.workspace, "marketing:segment_detail", pk=segment.pk)
                )
        if errors:
            messages.error(request, _("The segment was not saved: correct the rules marked below."))
    figures = None
    if kind == "dynamic" and not errors:
        figures, errors = _figures(request.workspace, tree, ctx)
    context = _builder_context(
        request,
        segment=segment,
        tree=tree,
        errors=errors,
        ctx=ctx,
        figures=figures,
        form=form,
        kind=kind,
    )
    status = 400 if request.method == "POST" and not request.POST.get("action") else 200
    return render(request, "marketing/segments/builder.html", context, status=status)


@workspace_view("marketing.edit")
def segment_create_view(request):
    """The builder for a new segment (`?kind=static` for a list filled by hand)."""
    return _builder(request)


@workspace_view("marketing.edit")
def segment_edit(request, pk):
    """The builder for an existing segment."""
    return _builder(request, segment=_segment(request, pk))


@require_safe
@workspace_view("marketing.view")
def segment_detail(request, pk):
    """A segment: its rules' figures now (dynamic), its stored members (keyset-paged by
    contact id, `?after=`), its flag, and for static lists the ways to fill it."""
    segment = _segment(request, pk)
    segments_check(workspace=request.workspace, segments=[segment])
    after = request.GET.get("after", "")
    members, next_after = segment_members_page(
        segment=segment, after=int(after) if after.isdigit() and len(after) < 19 else None
    )
    figures = None
    if not segment.problem:
        try:
            figures = audience_figures(
                segment_contacts(segment), workspace=request.workspace, sample=0
            )
        except SegmentProblem:
            figures = None
    context = {
        **_area_context(segment.name),
        "segment": segment,
        "members": members,
        "next_after": next_after,
        "paged": bool(after),
        "figures": figures,
    }
    if segment.kind == "static":
        context.update(
            add_form=MemberAddForm(workspace=request.workspace),
            snapshot_form=SnapshotForm(workspace=request.workspace, exclude_pk=segment.pk),
            import_form=MemberImportForm(workspace=request.workspace),
        )
    return render(request, "marketing/segments/detail.html", context)


def _back(request, segment):
    return redirect(workspace_reverse(request.workspace, "marketing:segment_detail", pk=segment.pk))


@workspace_view("marketing.view", "marketing.edit")
@post_only
def segment_build_view(request, pk):
    """Store the segment's membership now (dynamic) or recount it (static)."""
    segment = _posted_segment(request, pk)
    try:
        result = segment_build(workspace=request.workspace, actor=request.user, segment=segment)
    except SegmentProblem as exc:
        messages.error(request, _("The segment cannot be built: %(why)s") % {"why": exc.message})
    else:
        messages.success(
            request,
            _("Built: %(count)s members (%(added)s added, %(removed)s removed).")
            % {k: f"{v:,}" for k, v in result.items()},
        )
    return _back(request, segment)


@workspace_view("marketing.view", "marketing.edit")
@post_only
def segment_delete_view(request, pk):
    segment = _posted_segment(request, pk)
    segment_delete(workspace=request.workspace, actor=request.user, segment=segment)
    messages.success(request, _("Deleted the segment “%(name)s”.") % {"name": segment.name})
    return redirect(workspace_reverse(request.workspace, "marketing:segments"))


@workspace_view("marketing.view", "marketing.edit")
@post_only
def segment_member_add(request, pk):
    segment = _posted_segment(request, pk)
    form = MemberAddForm(request.POST, workspace=request.workspace)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(request, segment)
    try:
        added = segment_members_add(
            workspace=request.workspace,
            actor=request.user,
            segment=segment,
            contact_ids=[form.cleaned_data["contact"].pk],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        contact = form.cleaned_data["contact"]
        if added:
            messages.success(request, _("Added %(name)s.") % {"name": contact})
        else:
            messages.info(request, _("%(name)s is a member already.") % {"name": contact})
    return _back(request, segment)


@workspace_view("marketing.view", "marketing.edit")
@post_only
def segment_member_remove(request, pk):
    segment = _posted_segment(request, pk)
    ids = [v for v in request.POST.getlist("contact")[:1000] if v.isdigit() and len(v) < 19]
    try:
        removed = segment_members_remove(
            workspace=request.workspace, actor=request.user, segment=segment, contact_ids=ids
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Removed %(n)s contacts.") % {"n": removed})
    return _back(request, segment)


@workspace_view("marketing.view", "marketing.edit")
@post_only
def segment_snapshot(request, pk):
    segment = _posted_segment(request, pk)
    form = SnapshotForm(request.POST, workspace=request.workspace, exclude_pk=segment.pk)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(request, segment)
    try:
        added = segment_fill_from_snapshot(
            workspace=request.workspace,
            actor=request.user,
            segment=segment,
            source=form.cleaned_data["source"],
        )
    except (ValidationError, SegmentProblem) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(
            request, _("Added %(n)s contacts from the snapshot.") % {"n": f"{added:,}"}
        )
    return _back(request, segment)


@workspace_view("marketing.view", "marketing.edit")
@post_only
def segment_import(request, pk):
    """Fill a static list from a CSV of email addresses; the unmatched ones are listed."""
    segment = _posted_segment(request, pk)
    form = MemberImportForm(request.POST, request.FILES, workspace=request.workspace)
    report, error = None, ""
    if form.is_valid():
        try:
            report = segment_fill_from_csv(
                workspace=request.workspace,
                actor=request.user,
                segment=segment,
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(e for errs in form.errors.values() for e in errs)
    return render(
        request,
        "marketing/segments/import_result.html",
        {**_area_context(segment.name), "segment": segment, "report": report, "error": error},
        status=400 if error else 200,
    )
