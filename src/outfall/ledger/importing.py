"""The two-step web import: keep the uploaded file under a token, dry-run it, then commit it."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from django.conf import settings

from outfall.core.errors import OutfallError, RowErrors
from outfall.core.filetypes import sniff_format
from outfall.ledger.duplicates import is_duplicate
from outfall.ledger.excel import import_outfalls

_ALLOWED = {".xlsx", ".csv"}


#: A dry-run file not committed within this many seconds is removed.
PENDING_MAX_AGE_S = 24 * 3600


def _pending_dir() -> Path:
    """The folder of dry-run files waiting for their commit; files older than a day are purged."""
    d = Path(settings.MEDIA_ROOT) / "pending-imports"
    d.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for f in d.iterdir():
        try:
            if now - f.stat().st_mtime > PENDING_MAX_AGE_S:
                f.unlink()
        except FileNotFoundError:  # removed by a concurrent request
            pass
    return d


def _pending_path(user, token: str) -> Path | None:
    try:
        uuid.UUID(token)
    except ValueError:
        return None
    matches = [p for p in _pending_dir().glob(f"{user.pk}-{token}.*") if p.suffix in _ALLOWED]
    return matches[0] if matches else None


def _claim(path: Path) -> Path | None:
    """Take the pending file for this request by renaming it (atomic): of two commits of one file at
    once, exactly one gets it; the other gets None."""
    claimed = path.with_name(path.name + _CLAIMED)
    try:
        os.rename(path, claimed)
    except FileNotFoundError:
        return None
    return claimed


#: Suffix of a pending file while its commit runs.
_CLAIMED = ".importing"
_ALREADY = "该文件已导入或正在导入，未重复导入 / this file has been or is being imported; it was not imported again"


def dry_run_upload(request, upload) -> dict:
    """Check an uploaded ledger file without writing; its kind is told by its content (as the CLI does),
    not by its name, and a file that may be committed is kept under the kind found."""
    if upload.size > settings.MAX_UPLOAD_BYTES:
        return {"fatal": f"文件超过 {settings.MAX_UPLOAD_BYTES // 1048576} MiB 上限"}
    data = upload.read()
    try:
        suffix = "." + sniff_format(data, upload.name)
        result = import_outfalls(data, actor=request.user, name=upload.name, dry_run=True)
    except OutfallError as exc:
        return {"fatal": exc.user_message}
    ctx = {"result": result, "filename": upload.name}
    if all(is_duplicate(e) for e in result.errors):  # none, or only likely duplicates the user may confirm
        token = str(uuid.uuid4())
        (_pending_dir() / f"{request.user.pk}-{token}{suffix}").write_bytes(data)
        request.session[f"import-{token}"] = upload.name
        ctx["token"] = token
        ctx["confirm_duplicates"] = bool(result.duplicates)
    return ctx


def commit_pending(request, token: str, *, allow_duplicates: bool = False) -> dict:
    """Import the dry-run file of ``token`` once: a second commit of the same file, at the same time
    or later, is told so and changes nothing; a refused import leaves the file for another try.
    Likely duplicates are created only when the user ticked 「允许疑似重复」(``allow_duplicates``),
    else refused again with the confirm form kept."""
    path = _pending_path(request.user, token)
    known = f"import-{token}" in request.session
    if path is None:
        return {"fatal": _ALREADY if known else "待导入文件已失效，请重新上传"}
    claimed = _claim(path)
    if claimed is None:
        return {"fatal": _ALREADY}
    try:
        result = import_outfalls(claimed.read_bytes(), actor=request.user,
                                 name=request.session.get(f"import-{token}", path.name),
                                 allow_duplicates=allow_duplicates)
    except RowErrors as exc:
        os.rename(claimed, path)
        ctx = {"fatal": exc.user_message, "errors": exc.errors}
        if all(is_duplicate(e) for e in exc.errors):
            ctx.update(token=token, confirm_duplicates=True)
        return ctx
    except OutfallError as exc:
        os.rename(claimed, path)
        return {"fatal": exc.user_message}
    except BaseException:
        os.rename(claimed, path)
        raise
    claimed.unlink(missing_ok=True)
    return {"result": result, "committed": True}
