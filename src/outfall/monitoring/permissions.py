"""Whose readings an account may write: the one place (STYLE rule 5), for the file import and the push API.

Readings are scoped like the ledger they belong to:

===================  ================================  ==================================
account              sections                          outfalls
===================  ================================  ==================================
admin, bureau        every section                     every outfall
town                 none                              outfalls of its own town
inspector, viewer    none                              none
===================  ================================  ==================================

and, whatever its role, every site bound to the account by a ``StationBinding`` (站点授权): the
service account of an automatic station or a data platform is a viewer with bindings, so its
token can push the readings of those sites and of no other.

The ingest service asks :func:`check_writable_sites` once, where it resolves site codes to ids;
a refused site is a row error and the whole batch writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from outfall.accounts import permissions
from outfall.ledger.models import Outfall
from outfall.monitoring.models import Section, StationBinding

__all__ = ["REFUSED_MESSAGE", "check_writable_sites", "may_write_readings", "writable_outfalls",
           "writable_sections"]

#: The row error of a site the account may not write (its code is appended).
REFUSED_MESSAGE = "无权写入该点位的监测数据 / not allowed to write readings for this site"


def _writes_everything(user) -> bool:
    return permissions.can_read(user) and permissions.editable_town_ids(user) is None


def writable_sections(user):
    """Sections whose readings ``user`` may write: all for admins and bureau staff, else the bound ones."""
    if not permissions.can_read(user):
        return Section.objects.none()
    if _writes_everything(user):
        return Section.objects.all()
    return Section.objects.filter(pk__in=StationBinding.objects.filter(user=user, section__isnull=False)
                                  .values("section_id"))


def writable_outfalls(user):
    """Outfalls whose readings ``user`` may write: those the user may edit in the ledger, and the bound ones."""
    if not permissions.can_read(user):
        return Outfall.objects.none()
    if _writes_everything(user):
        return Outfall.objects.all()
    bound = StationBinding.objects.filter(user=user, outfall__isnull=False).values("outfall_id")
    return Outfall.objects.filter(pk__in=Outfall.objects.editable_by(user).values("pk")) | \
        Outfall.objects.filter(pk__in=bound)


def may_write_readings(user) -> bool:
    """Whether ``user`` may write the readings of at least one kind of site (else: 403 before parsing)."""
    if not permissions.can_read(user):
        return False
    return permissions.can_edit_any(user) or StationBinding.objects.filter(user=user).exists()


def check_writable_sites(user, section_ids: Iterable[int], outfall_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """The ids among ``section_ids`` and ``outfall_ids`` whose readings ``user`` may NOT write.

    Returns ``(refused section ids, refused outfall ids)``; both empty when everything is allowed.
    Admins and bureau staff cost no query; other accounts one query per kind of site, over their
    own (small) scope, never an ``IN`` list of the batch's ids.
    """
    sections, outfalls = set(section_ids), set(outfall_ids)
    if _writes_everything(user):
        return set(), set()
    if not permissions.can_read(user):
        return sections, outfalls
    ok_sections = set(writable_sections(user).values_list("pk", flat=True)) if sections else set()
    ok_outfalls = set(writable_outfalls(user).values_list("pk", flat=True)) if outfalls else set()
    return sections - ok_sections, outfalls - ok_outfalls


def refused_site_codes(user, sections: dict[str, int], outfalls: dict[str, int]) -> set[str]:
    """The site codes (of ``code → id`` maps, as the ingest resolves them) ``user`` may not write."""
    bad_sections, bad_outfalls = check_writable_sites(user, sections.values(), outfalls.values())
    if not bad_sections and not bad_outfalls:
        return set()
    return ({c for c, pk in sections.items() if pk in bad_sections}
            | {c for c, pk in outfalls.items() if pk in bad_outfalls})
