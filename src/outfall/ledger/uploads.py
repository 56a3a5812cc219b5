"""Upload checks: a photo is JPEG, PNG or WebP by its content (not its name) and not too large; an
evidence file (cases, remediation) is such a photo or a PDF/Word/Excel document."""

from __future__ import annotations

from django.utils.translation import gettext as _

from outfall.core.errors import InputError
from outfall.core.filetypes import holds_office_part, sniff_evidence, sniff_image

__all__ = ["sniff_image", "check_image", "check_evidence"]

def check_image(upload, *, max_bytes: int) -> str:
    """Return the content type of an uploaded image or raise InputError (type or size refused)."""
    if upload.size > max_bytes:
        raise InputError(f"upload {upload.size} > {max_bytes}",
                         user_message=f"文件 {upload.name} 大小 {upload.size / 1048576:.1f} MiB，超过上限 {max_bytes / 1048576:.0f} MiB")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ctype = sniff_image(head)
    if ctype is None:
        raise InputError(f"not an image: {upload.name}", user_message=f"文件 {upload.name} 不是 JPEG/PNG/WebP 图片")
    try:
        from PIL import Image

        with Image.open(upload) as im:
            im.verify()
    except Exception as exc:  # Pillow raises many types for a broken image
        raise InputError(f"broken image {upload.name}: {exc}", user_message=f"图片 {upload.name} 已损坏，无法打开") from exc
    finally:
        upload.seek(0)
    return ctype


def check_evidence(upload, *, max_bytes: int) -> tuple[str, str]:
    """(kind, content type) of an evidence file — a photo (checked as :func:`check_image`) or a
    document (PDF; .docx/.xlsx holding their part; old .doc/.xls) — or InputError naming the file
    and why it is refused (too large, another type, a renamed archive, a broken image)."""
    if upload.size > max_bytes:
        raise InputError(f"upload {upload.size} > {max_bytes}", user_message=_(
            "文件 %(name)s 大小 %(size).1f MiB，超过上限 %(max).0f MiB") % {
            "name": upload.name, "size": upload.size / 1048576, "max": max_bytes / 1048576})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff_evidence(head, upload.name)
    if found is not None and found[0] == "photo":
        check_image(upload, max_bytes=max_bytes)
    elif found is not None and head.startswith(b"PK"):
        data = upload.read()
        upload.seek(0)
        if not holds_office_part(data, "." + upload.name.rsplit(".", 1)[-1].lower()):
            found = None
    if found is None:
        raise InputError(f"evidence type refused: {upload.name}", user_message=_(
            "文件 %(name)s 不是可接受的证明材料 (JPEG/PNG/WebP 图片、PDF、Word .docx 或 Excel .xlsx)")
            % {"name": upload.name})
    return found
