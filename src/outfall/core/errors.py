"""The exception tree of outfall's domain core.

::

    OutfallError                      base; ``message`` (log) and ``user_message`` (Chinese, user-safe)
    ├── InputError                    a refused input (HTTP 400 in the shell)
    │   ├── FileFormatError           a file that cannot be read as the format it claims
    │   ├── TooLargeError             a file beyond the import limits (rows, columns, cell, ZIP expansion)
    │   ├── RowErrors                 one or more (file, sheet, row, column, message) problems
    │   ├── CoordinateError           a coordinate outside the area, swapped, or in an unknown CRS
    │   ├── CodeError                 a malformed outfall code or unified social credit code
    │   ├── ValueParseError           a measured value that is not a number or a known mark
    │   └── NetworkError              a river network that cannot be built or navigated as asked
    ├── NotFoundError                 a named thing does not exist (HTTP 404)
    └── PermissionDeniedError         the actor may not do this (HTTP 403)

The web layer maps these classes to HTTP status codes in one place (``outfall.site.api_errors``);
the core stays HTTP-free.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "OutfallError",
    "InputError",
    "FileFormatError",
    "TooLargeError",
    "RowError",
    "RowErrors",
    "CappedErrors",
    "CoordinateError",
    "CodeError",
    "ValueParseError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
]


class OutfallError(Exception):
    """Base of every domain error: a log message plus a Chinese message safe to show a user."""

    default_user_message = "操作失败"

    def __init__(self, message: str, *, user_message: str | None = None):
        super().__init__(message)
        self.message = message
        self.user_message = user_message or message or self.default_user_message


class InputError(OutfallError):
    default_user_message = "输入有误"


class FileFormatError(InputError):
    default_user_message = "文件格式无法识别"


class TooLargeError(InputError):
    """Refused before reading it all: more rows, columns, cell characters or ZIP expansion than allowed
    (``outfall.core.limits.ImportLimits``)."""

    default_user_message = "文件超出导入上限"


@dataclass(frozen=True)
class RowError:
    """One problem in a tabular input, located by file, sheet, row (1-based, header = 1) and column."""

    file: str
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.sheet:
            where += f" [{self.sheet}]"
        if self.row:
            where += f" 第{self.row}行"
        if self.column:
            where += f" 列「{self.column}」"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column,
                "message": self.message}


class RowErrors(InputError):
    """All the problems found in one input; nothing was written."""

    def __init__(self, errors: list[RowError], *, total: int | None = None):
        self.errors = list(errors)
        self.total = len(self.errors) if total is None else total  # more than listed when capped
        head = "; ".join(str(e) for e in self.errors[:5])
        more = f" (共 {self.total} 处错误)" if self.total > 5 else ""
        super().__init__(head + more, user_message=f"发现 {self.total} 处错误，未写入任何数据")


class CappedErrors:
    """Row errors collected across chunks: the first ``limit`` kept, the rest only counted.

    >>> e = CappedErrors("f.csv", limit=2)
    >>> e.extend([RowError("f.csv", "", n, "监测值", "x") for n in (2, 3, 4)])
    >>> len(e), [x.row for x in e.listed()], e.listed()[-1].message
    (3, [2, 3, 0], '另有 1 处错误未列出 / 1 more errors not listed')
    """

    def __init__(self, file: str, *, limit: int = 1_000):
        self.file, self.limit = file, limit
        self.kept: list[RowError] = []
        self.total = 0

    def extend(self, errors: list[RowError]) -> None:
        self.total += len(errors)
        room = self.limit - len(self.kept)
        if room > 0:
            self.kept.extend(errors[:room])

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def listed(self) -> list[RowError]:
        """The kept errors, plus one line saying how many more there are when some were dropped."""
        more = self.total - len(self.kept)
        if more <= 0:
            return list(self.kept)
        return [*self.kept, RowError(self.file, "", 0, "", f"另有 {more} 处错误未列出 / {more} more errors not listed")]

    def raise_if_any(self) -> None:
        if self.total:
            raise RowErrors(self.listed(), total=self.total)


class CoordinateError(InputError):
    default_user_message = "坐标有误"


class CodeError(InputError):
    default_user_message = "编码有误"


class ValueParseError(InputError):
    default_user_message = "监测值无法识别"


class NetworkError(InputError):
    default_user_message = "河网数据有误"


class NotFoundError(OutfallError):
    default_user_message = "未找到"


class PermissionDeniedError(OutfallError):
    default_user_message = "无权执行此操作"
