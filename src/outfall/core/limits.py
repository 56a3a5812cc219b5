"""Limits on what an imported file may make the server read: rows, columns, cell size, ZIP expansion.

A spreadsheet or a zipped shapefile is a ZIP archive; a few megabytes of it can expand to gigabytes
(a "zip bomb"), and a sheet can declare or fill a million rows of sixteen thousand columns. Every
reader checks these limits *before* it reads the data (the declared uncompressed sizes of the ZIP
members, the sheet's declared dimension) and again while it streams (rows, columns, cell length),
and refuses with :class:`outfall.core.errors.TooLargeError` naming the limit and its setting.

The defaults here are the defaults of the ``OUTFALL_IMPORT_*`` settings (docs/settings.md).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from outfall.core.errors import TooLargeError

__all__ = ["ImportLimits", "check_zip"]

MIB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """What one imported file may contain.

    Attributes
    ----------
    max_rows : int
        Rows of a sheet or CSV file, title and header rows included.
    max_columns : int
        Columns of a row (trailing empty cells not counted).
    max_cell_chars : int
        Characters in one cell (Excel's own limit is 32,767).
    max_uncompressed_mb : int
        Sum of the uncompressed sizes of the members of a ZIP (an .xlsx or a zipped shapefile), MiB.
    max_zip_ratio : int
        Largest uncompressed : compressed ratio of a ZIP member bigger than 1 MiB uncompressed.
        Real sheets and shapefiles stay well under 30:1; a zip bomb is 1000:1 and more.
    """

    max_rows: int = 200_000
    max_columns: int = 200
    max_cell_chars: int = 32_767
    max_uncompressed_mb: int = 200
    max_zip_ratio: int = 100

    @property
    def max_uncompressed_bytes(self) -> int:
        return self.max_uncompressed_mb * MIB


def check_zip(archive: zipfile.ZipFile, *, name: str, limits: ImportLimits) -> int:
    """Refuse a ZIP whose members would expand beyond ``limits``; return the total size in bytes.

    Reads only the central directory (``ZipInfo.file_size`` / ``compress_size``), never the data.
    Python's zipfile stops a member at its declared size (and then fails its CRC check), so a member
    cannot expand beyond what it declares.

    Examples
    --------
    >>> import io
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("zeros.bin", bytes(3 * MIB))
    >>> try:
    ...     check_zip(zipfile.ZipFile(buf), name="a.zip", limits=ImportLimits())
    ... except TooLargeError as e:
    ...     print(e.user_message.split("压缩比")[0], "OUTFALL_IMPORT_MAX_ZIP_RATIO" in e.user_message)
    a.zip: 成员「zeros.bin」 True
    """
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise TooLargeError(
                f"{name}: uncompressed size over {limits.max_uncompressed_mb} MiB",
                user_message=f"{name}: 解压后超过 {limits.max_uncompressed_mb} MiB 上限 "
                f"(OUTFALL_IMPORT_MAX_UNCOMPRESSED_MB)，疑似压缩炸弹，未读取 / uncompressed size over "
                f"{limits.max_uncompressed_mb} MiB; refused unread")
        if info.file_size > MIB:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_zip_ratio:
                raise TooLargeError(
                    f"{name}: member {info.filename} ratio {ratio:.0f}:1",
                    user_message=f"{name}: 成员「{info.filename}」压缩比 {ratio:.0f}:1 超过 {limits.max_zip_ratio}:1 "
                    f"上限 (OUTFALL_IMPORT_MAX_ZIP_RATIO)，疑似压缩炸弹，未读取 / member {info.filename} "
                    f"expands {ratio:.0f}:1, over the {limits.max_zip_ratio}:1 limit; refused unread")
    return total
