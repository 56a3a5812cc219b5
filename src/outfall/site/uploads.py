"""A spatial file uploaded through a page, made a path an importer can open: one place for the
suffix and size check, the ZIP checks before anything is inflated (``core.limits.check_zip``) and
the one .shp a ZIP must hold. The towns and rivers pages use it."""

from __future__ import annotations

import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from outfall.core.errors import InputError
from outfall.core.limits import check_zip


@contextmanager
def uploaded_path(f, suffixes: tuple[str, ...]):
    """Yield a temporary path to the upload ``f`` (a Shapefile's .shp when it is a ZIP); raises
    InputError with a message for the page when its suffix, size or archive is refused."""
    suffix = Path(f.name).suffix.lower()
    if suffix not in suffixes or f.size > settings.MAX_UPLOAD_BYTES:
        raise InputError(f"upload {f.name}", user_message=_("不支持的文件「%(name)s」(需 %(suffixes)s，且不超过上限)") % {
            "name": f.name, "suffixes": " ".join(suffixes)})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(f.read())
        if suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as z:
                    check_zip(z, name=f.name, limits=settings.OUTFALL_IMPORT_LIMITS)  # before a byte is inflated
                    z.extractall(tmp)
            except zipfile.BadZipFile as exc:
                raise InputError(f"bad zip {f.name}", user_message=_("ZIP 文件已损坏")) from exc
            shps = list(Path(tmp).rglob("*.shp"))
            if len(shps) != 1:
                raise InputError(f"zip {f.name}: {len(shps)} .shp", user_message=_("ZIP 中应恰有一个 .shp 文件"))
            path = shps[0]
        yield path
