"""Template filters of the network page (see ``outfall.rivers.issues``)."""

from django import template

from outfall.rivers import issues

register = template.Library()
register.filter("issue_kind", issues.issue_kind)
register.filter("issue_severity", issues.issue_severity)
register.filter("issue_text", issues.issue_text)
