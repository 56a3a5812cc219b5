"""A table value of a part as the monthly report writes it (``outfall.reports.monthly.cell``): None
as "—", a float to at most four decimals; so the page and the files show the same text."""

from django import template

from outfall.reports.monthly import cell

register = template.Library()


@register.filter
def part_cell(value) -> str:
    return cell(value)
