"""Catalogue pages (being written)."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


product_list = product_create = configurator = category_create = product_detail = _todo
product_edit = option_create = option_delete = exclusion_create = exclusion_delete = _todo
