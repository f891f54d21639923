"""The builder's flow (journeys/forms/flow.py): stored steps to the cards the page draws and
back, the posted cards read in document order, and the shape-changing buttons."""

from django.http import QueryDict

from journeys.forms.flow import apply_action, steps_from_tree, tree_from_post, tree_from_steps

EDGES = {
    "wait": ("next",),
    "email.send": ("next",),
    "branch": ("yes", "no"),
    "task.create": ("next",),
}


def edges_of(kind):
    return EDGES.get(kind)


def row(key, kind, next_key="", branches=None):
    return {
        "key": key,
        "kind": kind,
        "params": {},
        "next_key": next_key,
        "branches": branches or {},
    }


def shape(tree):
    out = []
    for node in tree:
        if "paths" in node:
            out.append((node["key"], {e: shape(p) for e, p in node["paths"].items()}))
        else:
            out.append(node["key"])
    return out


def post(pairs):
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    return data


def test_a_branch_whose_paths_join_draws_them_nested_and_the_join_below():
    rows = [
        row("s1", "email.send", "s2"),
        row("s2", "branch", "", {"yes": "s3", "no": "s4"}),
        row("s3", "task.create", "s5"),
        row("s4", "wait", "s5"),
        row("s5", "email.send", ""),
    ]
    tree = tree_from_steps(rows, first_key="s1", edges_of=edges_of)
    assert shape(tree) == ["s1", ("s2", {"yes": ["s3"], "no": ["s4"]}), "s5"]


def test_paths_that_never_join_hold_their_own_ends():
    rows = [
        row("s1", "branch", "", {"yes": "s2", "no": "s3"}),
        row("s2", "email.send", "s4"),
        row("s3", "task.create", ""),
        row("s4", "wait", ""),
    ]
    tree = tree_from_steps(rows, first_key="s1", edges_of=edges_of)
    assert shape(tree) == [("s1", {"yes": ["s2", "s4"], "no": ["s3"]})]


def test_cards_back_to_rows_keep_the_graph():
    rows = [
        row("s1", "email.send", "s2"),
        row("s2", "branch", "s5", {"yes": "s3", "no": "s5"}),
        row("s3", "task.create", "s5"),
        row("s5", "email.send", ""),
    ]
    tree = tree_from_steps(rows, first_key="s1", edges_of=edges_of)
    assert shape(tree) == ["s1", ("s2", {"yes": ["s3"], "no": []}), "s5"]
    back = steps_from_tree(tree)
    assert [(r["key"], r["next_key"], r["branches"]) for r in back] == [
        ("s1", "s2", {}),
        ("s2", "s5", {"yes": "s3", "no": "s5"}),
        ("s3", "s5", {}),
        ("s5", "", {}),
    ]


def test_unreachable_steps_and_cycles_are_kept_once():
    rows = [row("s1", "wait", "s2"), row("s2", "wait", "s1"), row("s9", "email.send", "")]
    tree = tree_from_steps(rows, first_key="s1", edges_of=edges_of)
    assert shape(tree) == ["s1", "s2", "s9"]


def test_posted_cards_are_read_in_order_and_a_forged_parent_is_dropped():
    data = post(
        [
            ("step", "s1:email.send::"),
            ("step", "s2:branch::"),
            ("step", "s3:task.create:s2:yes"),
            ("step", "s4:wait:s1:yes"),  # s1 is no branch
            ("step", "s3:wait::"),  # repeated key
            ("step", "bad"),
            ("key-next", "7"),
        ]
    )
    tree, next_number = tree_from_post(data, edges_of=edges_of)
    assert shape(tree) == ["s1", ("s2", {"yes": ["s3"], "no": []})]
    assert next_number == 7


def test_add_move_and_delete():
    data = post([("step", "s1:email.send::"), ("step", "s2:branch::"), ("add-kind-s2-no", "wait")])
    tree, number = tree_from_post(data, edges_of=edges_of)
    key, number = apply_action(tree, "step-add:s2:no", data, number, edges_of=edges_of)
    assert key == "s3" and number == 4
    assert shape(tree) == ["s1", ("s2", {"yes": [], "no": ["s3"]})]
    apply_action(tree, "step-up:s2", data, number, edges_of=edges_of)
    assert shape(tree) == [("s2", {"yes": [], "no": ["s3"]}), "s1"]
    apply_action(tree, "step-delete:s2", data, number, edges_of=edges_of)
    assert shape(tree) == ["s1"]


def test_an_unknown_kind_is_not_added():
    data = post([("add-kind--", "nope")])
    tree, number = tree_from_post(data, edges_of=edges_of)
    assert apply_action(tree, "step-add::", data, number, edges_of=edges_of) == ("", 1)
    assert tree == []
