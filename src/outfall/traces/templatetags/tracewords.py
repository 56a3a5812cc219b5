"""Template filters of the trace pages: an outfall type name (HJ 1312-2023) in the user's language."""

from django import template

from outfall.ledger.type_names import type_name as _type_name

register = template.Library()


@register.filter
def type_name(name):
    """The stored Chinese type name shown in the active language (an unknown text as it is)."""
    return _type_name(name)
