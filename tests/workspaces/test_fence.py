"""The fail-closed fence is not bypassed (DESIGN.md §4, fence 2).

Request and task code runs in a workspace scope and reads through `objects`. The escape hatches
(`Model.all_workspaces`, `scopes_disabled()`, `objects.with_scopes_disabled()`,
`objects.with_scope(...)`) are only for genuinely global work, named below with the reason.
The scan reads the source (AST, so strings and comments do not count) of every module outside
tests and migrations; a new use fails here until it is justified on this list, and an entry
nobody uses any more fails too, so the list stays short.
"""

import ast
from pathlib import Path

import pytest

from workspaces.scoping import workspace_scope

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", "migrations", ".venv", "node_modules", "static", "var", "locale"}
ESCAPE_ATTRIBUTES = {"all_workspaces", "with_scopes_disabled", "with_scope"}
ESCAPE_CALLS = {"scopes_disabled"}

# "path:qualified.function" (or a whole "path") -> why it must see every workspace.
ALLOWED = {
    "marketing/tasks.py:sweep_task": (
        "beat fan-out: the workspaces with a scheduled or sending campaign, one sweep each"
    ),
    "scoring/tasks.py:_workspaces_with_rules": (
        "beat fan-out: the workspaces with active scoring rules, one scoring run or decay each"
    ),
    "callcentre/tasks.py:calls_sweep_task": (
        "beat fan-out: the workspaces with open calls past the shortest timeout, one close each"
    ),
    "journeys/tasks.py:_workspaces_with_journeys": (
        "beat fan-out: the workspaces with live or paused journeys, one run each"
    ),
    "journeys/tasks.py:journeys_care_task": (
        "beat fan-out: the workspaces with journeys or ended enrolments, one care pass each"
    ),
    "warehouse/tasks.py:_workspaces_due": (
        "beat fan-out: the workspaces with changes past a warehouse table's mark, one export each"
    ),
    "webhooks/tasks.py:_workspaces_behind": (
        "beat fan-out: the workspaces whose webhook cursor is behind their change sequence"
    ),
    "webhooks/tasks.py:_workspaces_with_due_deliveries": (
        "beat fan-out: the workspaces with pending or claimed webhook deliveries, one sweep each"
    ),
    "bench/callcentre_wallboard.py:generate": (
        "benchmark set-up outside any request: fills its own bench workspace"
    ),
    "bench/journeys_due.py:_prepare": (
        "benchmark set-up outside any request: fills its own bench workspace"
    ),
    "bench/journeys_due.py:main": (
        "benchmark set-up outside any request: reads back its own bench workspace"
    ),
    "bench/rls_import.py:main": (
        "benchmark set-up and clean-up outside any request; the import enters its own scope"
    ),
    "bench/marketing_send.py:audience": (
        "benchmark set-up outside any request: fills its own bench workspace"
    ),
    "bench/marketing_send.py:main": (
        "benchmark set-up outside any request: reads back its own bench workspace's counts"
    ),
    "api/selectors/keys.py:api_key_resolve": (
        "token resolution: the presented API key names its workspace, before a scope exists"
    ),
    "api/selectors/keys.py:api_key_within_creator": (
        "token resolution: the key's creator's role in the key's own workspace, before a scope"
    ),
    "api/services/keys.py:api_key_touch": (
        "token resolution: the key's last use, stamped while authenticating, before a scope"
    ),
    "workspaces/middleware.py:WorkspaceMiddleware.__call__": (
        "middleware lookup: resolves /w/<slug>/ to the user's membership before a scope exists"
    ),
    "workspaces/middleware.py:WorkspaceMiddleware.admin": (
        "platform admin: superusers see every workspace in /admin/"
    ),
    "workspaces/admin_site.py:admin_memberships": (
        "platform admin: the workspaces a user may administer, read before the admin enters one"
    ),
    "workspaces/invitation_tokens.py:_open_invitation": (
        "token resolution: the signed invitation link names the workspace"
    ),
    "sales/services/web_form.py:web_form_from_token": (
        "token resolution: the signed web form id names the workspace"
    ),
    "workspaces/admin.py:WorkspaceModelAdmin.stored": (
        "platform admin: the stored row an admin form edits (superusers work across workspaces)"
    ),
    "workspaces/lifecycle.py:user_deactivated": (
        "platform: a deactivated user's memberships in every workspace (users are global)"
    ),
    "contacts/services/job_state.py:stale_workspace_ids": (
        "beat fan-out: the workspaces with stale import/export jobs, one sweep task for each"
    ),
    "contacts/services/privacy.py:retention_workspace_ids": (
        "beat fan-out: the workspaces with a retention rule on, one retention task for each"
    ),
    "workspaces/selectors.py:membership_list_for_user": (
        "the user's own memberships across workspaces (the workspace switcher), before a scope"
    ),
    "workspaces/changelog.py": "change-log writes: every service of every workspace appends here",
    "workspaces/audit.py": "audit-log writes: services of every workspace append here, also before a scope exists (sign-in)",
    "service/services/csat.py:survey_from_token": (
        "token resolution: the signed survey link names the workspace and the survey"
    ),
    "service/csat_tasks.py:csat_reminders_task": (
        "beat fan-out: finds the workspaces with unanswered surveys and starts one task for each"
    ),
    "service/tasks.py:case_mail_retry_task": (
        "beat fan-out: the workspaces with case mail whose retry is due, one retry pass each"
    ),
    "service/tasks.py:imap_poll_task": (
        "beat fan-out: the mailboxes with an IMAP host, one poll task for each"
    ),
    "sales/tasks.py:activity_reminders_task": (
        "beat fan-out: finds the workspaces with due reminders and starts one task for each"
    ),
    "marketing/services/ab_tests.py:campaigns_ab_due": (
        "beat fan-out: the A/B tests across workspaces whose wait is over, one task for each"
    ),
    "marketing/services/health.py:workspaces_with_late_queues": (
        "beat fan-out: the workspaces with deliveries waiting over 10 minutes, one check each"
    ),
    "service/services/web_form.py:case_web_form_from_token": (
        "token resolution: the signed contact-form id names the workspace"
    ),
    "workspaces/management/commands/rls_check.py:Command.visibility_problems": (
        "operator check: whether the workspace tables have rows at all, read with the bypass"
    ),
    "service/tasks.py:sla_check_task": (
        "beat fan-out: the workspaces with running open cases, one SLA check task for each"
    ),
}


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not SKIPPED_DIRS.intersection(relative.parts):
            yield relative


class _EscapeFinder(ast.NodeVisitor):
    """Collects (line, "qualified.function" or "<module>", what) for every escape hatch."""

    def __init__(self):
        self.stack: list[str] = []
        self.found: list[tuple[int, str, str]] = []

    def _scoped(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def _add(self, node, what):
        self.found.append((node.lineno, ".".join(self.stack) or "<module>", what))

    def visit_Attribute(self, node):
        if node.attr in ESCAPE_ATTRIBUTES:
            self._add(node, node.attr)
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in ESCAPE_CALLS:
            self._add(node, f"{name}()")
        self.generic_visit(node)


def escape_hatch_uses(source: str, path: str) -> list[tuple[str, int, str]]:
    """[(allow-list key, line, what)] for one module's source."""
    finder = _EscapeFinder()
    finder.visit(ast.parse(source, filename=path))
    return [(f"{path}:{where}", line, what) for line, where, what in finder.found]


def _allowed(key: str) -> bool:
    return key in ALLOWED or key.split(":", 1)[0] in ALLOWED


def _all_uses():
    uses = []
    for relative in _python_files():
        uses += escape_hatch_uses((ROOT / relative).read_text(encoding="utf-8"), str(relative))
    return uses


def test_no_escape_hatch_outside_the_allow_list():
    offending = [
        f"{key} (line {line}): {what}" for key, line, what in _all_uses() if not _allowed(key)
    ]
    assert not offending, (
        "Request and task code runs in a scope and reads through `objects`; these bypass the "
        "fence (justify genuinely global work in ALLOWED):\n" + "\n".join(offending)
    )


def test_every_allow_list_entry_is_still_needed():
    used = {key for key, _line, _what in _all_uses()}
    used_files = {key.split(":", 1)[0] for key in used}
    stale = [entry for entry in ALLOWED if entry not in used and entry not in used_files]
    assert not stale, f"Remove allow-list entries nothing uses any more: {stale}"


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("def f():\n    return Contact.all_workspaces.filter(pk=1)\n", ["x.py:f"]),
        (
            "class V:\n    def get(self):\n        with scopes_disabled():\n            pass\n",
            ["x.py:V.get"],
        ),
        ("rows = Deal.objects.with_scopes_disabled().all()\n", ["x.py:<module>"]),
        ("def f():\n    return Contact.objects.filter(pk=1)  # all_workspaces\n", []),
    ],
)
def test_the_scan_sees_every_kind_of_escape(source, found):
    assert [key for key, _line, _what in escape_hatch_uses(source, "x.py")] == found


def test_a_scope_needs_a_workspace():
    """`scope(workspace=None)` in django-scopes means "no filter": the fence must refuse it."""
    with pytest.raises(ValueError), workspace_scope(None):
        pass
