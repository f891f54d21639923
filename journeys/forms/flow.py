"""The builder's flow: a journey's steps as the page draws them (a vertical list of cards
where a step with more edges than "next", a branch, holds one sub-list per edge), and back to
the rows the services store (key, kind, params, next_key, branches).

A node is `{"key": "s3", "kind": "wait", "params": {...}, "paths": {"yes": [...], ...}}`
(`paths` only on a branching step). After the last step of a path the contact continues with
the step that follows the branch in the list around it (both paths join there); a path
without steps goes straight there.

Posted form (plain HTML, no script needed): one hidden `step` input per step in document
order, "<key>:<kind>:<parent key>:<edge>" ("" parent and edge for the top list); a step's
settings are its params form's fields prefixed `s-<key>`; `key-next` is the number of the
next new key (keys are never reused: an enrolment that passed "s3" never runs an "s3" again,
see journeys.models.JourneyStep). An `action` button changes the shape:
"step-add:<parent key>:<edge>" (the kind from `add-kind-<parent key>-<edge>`),
"step-delete:<key>", "step-up:<key>", "step-down:<key>".

Pure: reads no tables.
"""

import re

KEY_RE = re.compile(r"^s[0-9]{1,6}$")
STEPS_MAX = 200  # nodes read from one post
ROOT = ""


def _edges(kind: str, branches: dict, edges_of) -> tuple[str, ...]:
    edges = edges_of(kind)
    if edges is None:  # unknown kind: keep whatever paths it had
        return tuple(branches or ())
    return tuple(e for e in edges if e != "next")


def tree_from_steps(steps: list[dict], *, first_key: str = "", edges_of) -> list[dict]:
    """The node tree of stored steps (dicts with key, kind, params, next_key, branches, in
    position order). `edges_of(kind)` gives a kind's edges (None when unknown). Where both
    paths of a branch meet is the branch's `next_key` when set, else the first step both
    paths reach. Steps the flow never reaches are appended to the top list (nothing is lost
    on the next save). Iterative over at most len(steps) nodes; cycles are cut."""
    by_key = {s["key"]: s for s in steps}
    if not steps:
        return []
    first = first_key if first_key in by_key else steps[0]["key"]
    visited: set[str] = set()

    def chain(start: str) -> list[str]:
        # the keys a path passes on its own level (a nested branch jumps to its join)
        out, cur, seen = [], start, set()
        while cur and cur in by_key and cur not in seen:
            seen.add(cur)
            out.append(cur)
            step = by_key[cur]
            edges = _edges(step["kind"], step.get("branches") or {}, edges_of)
            if edges and not step.get("next_key"):
                cur = join_of(step, depth=len(seen))
            else:
                cur = step.get("next_key") or ""
        return out

    def join_of(step: dict, depth: int = 0) -> str:
        if step.get("next_key") or depth > len(by_key):
            return step.get("next_key") or ""
        branches = step.get("branches") or {}
        chains = [chain(branches.get(e, "")) for e in _edges(step["kind"], branches, edges_of)]
        if not chains:
            return ""
        others = [set(c) for c in chains[1:]]
        for key in chains[0]:
            if all(key in other for other in others):
                return key
        return ""

    def build(start: str, stop: str) -> list[dict]:
        nodes, cur = [], start
        while cur and cur != stop and cur in by_key and cur not in visited:
            visited.add(cur)
            step = by_key[cur]
            node = {"key": cur, "kind": step["kind"], "params": step.get("params") or {}}
            edges = _edges(step["kind"], step.get("branches") or {}, edges_of)
            if edges:
                join = join_of(step)
                node["paths"] = {
                    e: build((step.get("branches") or {}).get(e, ""), join) for e in edges
                }
                cur = join
            else:
                cur = step.get("next_key") or ""
            nodes.append(node)
        return nodes

    tree = build(first, "")
    for step in steps:  # unreachable steps stay visible
        if step["key"] not in visited:
            tree.extend(build(step["key"], ""))
    return tree


def steps_from_tree(tree: list[dict]) -> list[dict]:
    """The rows for journey_create/journey_update, in document order (the first one is
    where the journey starts): {"key", "kind", "params", "next_key", "branches"}; a
    branch's `next_key` is where its paths join ("" for the end)."""
    out: list[dict] = []

    def emit(nodes, cont):
        for index, node in enumerate(nodes):
            after = nodes[index + 1]["key"] if index + 1 < len(nodes) else cont
            row = {
                "key": node["key"],
                "kind": node["kind"],
                "params": node.get("params") or {},
                "next_key": after,
                "branches": {},
            }
            out.append(row)
            if "paths" in node:
                for edge, path in node["paths"].items():
                    row["branches"][edge] = path[0]["key"] if path else after
                    emit(path, after)

    emit(tree, "")
    return out


def walk(tree: list[dict]):
    """Every node of the tree in document order (depth first)."""
    for node in tree:
        yield node
        for path in node.get("paths", {}).values():
            yield from walk(path)


def tree_from_post(data, *, edges_of) -> tuple[list[dict], int]:
    """(tree, next key number) from the posted `step` inputs (see the module docstring),
    without params (the caller reads each step's params form) and without the action
    applied. Inputs that do not parse, repeat a key or name a parent that is not a branch
    placed earlier are left out (a hand-made post cannot build a cycle)."""
    tree: list[dict] = []
    nodes: dict[str, dict] = {}
    for entry in data.getlist("step")[:STEPS_MAX]:
        parts = entry.split(":")
        if len(parts) != 4:
            continue
        key, kind, parent, edge = parts
        if not KEY_RE.match(key) or key in nodes or not kind or len(kind) > 64:
            continue
        node: dict = {"key": key, "kind": kind, "params": {}}
        edges = edges_of(kind)
        if edges is not None and tuple(e for e in edges if e != "next"):
            node["paths"] = {e: [] for e in edges if e != "next"}
        if parent:
            holder = nodes.get(parent, {}).get("paths", {}).get(edge)
            if holder is None:
                continue
            holder.append(node)
        else:
            tree.append(node)
        nodes[key] = node
    counter = data.get("key-next", "")
    used = max((int(k[1:]) for k in nodes), default=0)
    next_number = max(int(counter) if counter.isdigit() and len(counter) < 7 else 0, used + 1)
    return tree, next_number


def _holder(tree: list[dict], key: str) -> tuple[list[dict] | None, int]:
    """(the list that holds `key`, its index) or (None, -1)."""
    stack = [tree]
    while stack:
        nodes = stack.pop()
        for index, node in enumerate(nodes):
            if node["key"] == key:
                return nodes, index
            stack.extend(node.get("paths", {}).values())
    return None, -1


def apply_action(
    tree: list[dict], action: str, data, next_number: int, *, edges_of
) -> tuple[str, int]:
    """Apply a shape-changing `action` in place; (the key of the step added or moved or "",
    the next key number). An add needs a known kind in `add-kind-<parent>-<edge>`."""
    verb, _sep, rest = action.partition(":")
    if verb == "step-add":
        parent, _sep, edge = rest.partition(":")
        kind = (data.get(f"add-kind-{parent}-{edge}") or data.get("add-kind") or "")[:64]
        edges = edges_of(kind)
        if edges is None:
            return "", next_number
        if parent:
            holder_list, index = _holder(tree, parent)
            if holder_list is None or edge not in holder_list[index].get("paths", {}):
                return "", next_number
            target = holder_list[index]["paths"][edge]
        else:
            target = tree
        key = f"s{next_number}"
        node = {"key": key, "kind": kind, "params": {}, "new": True}
        branch_edges = [e for e in edges if e != "next"]
        if branch_edges:
            node["paths"] = {e: [] for e in branch_edges}
        target.append(node)
        return key, next_number + 1
    holder_list, index = _holder(tree, rest)
    if holder_list is None:
        return "", next_number
    if verb == "step-delete":
        del holder_list[index]
        return "", next_number
    if verb == "step-up" and index > 0:
        holder_list[index - 1], holder_list[index] = holder_list[index], holder_list[index - 1]
        return rest, next_number
    if verb == "step-down" and index + 1 < len(holder_list):
        holder_list[index + 1], holder_list[index] = holder_list[index], holder_list[index + 1]
        return rest, next_number
    return "", next_number
