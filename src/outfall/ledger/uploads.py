"""Upload checks: a photo is JPEG, PNG or WebP by its content (not its name) and not too large."""

from __future__ import annotations

from outfall.core.errors import InputError

_SIGNATURES = [(b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]


def sniff_image(head: bytes) -> str | None:
    for sig, ctype in _SIGNATURES:
        if head.startswith(sig):
            return ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


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
