"""The isolation registry: every workspace URL that takes an object id registers here how to
make such an object in a given workspace. `tests/workspaces/test_isolation.py` sweeps all URL
patterns under /w/<slug>/ and fails for any that is not registered.

    from tests.isolation import register

    @register("contacts:detail", "contacts:edit", "contacts:delete")
    def contact_in(workspace, user):
        contact = ContactFactory(workspace=workspace)
        return {"pk": contact.pk}, contact

The factory returns the URL kwargs (without `ws`) and the object whose fields must stay
unchanged after a POST from another workspace (or None).

`register_case("name", "url:name")` adds a further case for a URL already registered, swept
the same way (e.g. the id of a contact merged into another, which redirects inside its own
workspace and must still be a 404 from any other).
"""

from collections.abc import Callable

REGISTRY: dict[str, Callable] = {}
CASES: dict[str, tuple[str, Callable]] = {}


def register(*url_names: str):
    def decorator(factory):
        for name in url_names:
            REGISTRY[name] = factory
        return factory

    return decorator


def register_case(case: str, *url_names: str):
    """A further isolation case (named `case`) for each of `url_names`."""

    def decorator(factory):
        for name in url_names:
            CASES[f"{case}:{name}"] = (name, factory)
        return factory

    return decorator


# Search endpoints (autocomplete pickers, URL names ending in "_pick") take no object id but
# answer rows: each registers how to make a row in a workspace and the query that finds it.
# `tests/workspaces/test_isolation.py` checks that a picker finds its own workspace's row and
# never another's, and fails for a "_pick" URL that is not registered.
#
#     @register_search("contacts:contact_pick")
#     def contact_named(workspace, user, name):
#         return ContactFactory(workspace=workspace, last_name=name).pk, {}
#
# The maker returns the row's id and extra query parameters.
SEARCH_REGISTRY: dict[str, Callable] = {}


def register_search(*url_names: str):
    def decorator(factory):
        for name in url_names:
            SEARCH_REGISTRY[name] = factory
        return factory

    return decorator
