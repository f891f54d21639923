"""Reversing workspace URLs: every workspace URL takes `ws` (the slug)."""

from django.urls import reverse


def workspace_reverse(workspace, name: str, *args, **kwargs) -> str:
    slug = getattr(workspace, "slug", workspace)
    return reverse(name, kwargs={"ws": slug, **kwargs}, args=args or None)
