"""The ledger's columns: one spec per field, shared by Excel/CSV import, export and the forms.

Each column has a Chinese header (written on export), English header and aliases (accepted on
import), and a kind that says how a cell is parsed and formatted. Parsing a row returns the cleaned
values plus every problem as (column header, Chinese message); nothing here touches the database.
"""

from __future__ import annotations

from outfall.core import geo
from outfall.core.coding import validate_uscc
from outfall.core.columns import LIST_SEP, Column, parse_row
from outfall.core.columns import match_header as _match_header
from outfall.core.enums import ApprovalState, DischargeNature, DischargeRegularity, EntryMode, OutfallStatus
from outfall.core.errors import CodeError, CoordinateError
from outfall.core.outfall_types import validate_type

PARTY_SEP = LIST_SEP


COLUMNS: list[Column] = [
    Column("code", "排污口编码", "code", aliases=("编码", "内部编码"), max_length=40),
    Column("national_code", "国家平台编码", "national_code", aliases=("国家编码", "官方编码"), max_length=60),
    Column("name", "排污口名称", "name", required=True, aliases=("名称",), max_length=200),
    Column("type_l1", "一级类型", "category", required=True, aliases=("排污口类型", "类型", "type_l1"), max_length=40),
    Column("type_l2", "二级类型", "subtype", aliases=("type_l2",), max_length=60),
    Column("type_l3", "三级类型", "subtype3", aliases=("type_l3",), max_length=60),
    Column("original_lon", "经度", "lon", "float", required=True, aliases=("longitude", "x")),
    Column("original_lat", "纬度", "lat", "float", required=True, aliases=("latitude", "y")),
    Column("original_crs", "坐标系", "crs", aliases=("坐标系统",)),
    Column("town", "所属镇街", "town", aliases=("镇街", "乡镇(街道)", "乡镇街道", "乡镇")),
    Column("receiving_water", "受纳水体", "receiving_water", required=True, aliases=("排入水体",), max_length=100),
    Column("address", "地址", "address", aliases=("详细地址", "位置"), max_length=300),
    Column("entry_mode", "入河方式", "entry_mode", "enum", enum=EntryMode),
    Column("discharge_regularity", "排放规律", "discharge_regularity", "enum", enum=DischargeRegularity),
    Column("design_discharge_m3_d", "设计排放量(m³/d)", "discharge_m3_d", "float",
           aliases=("设计排放量", "设计排放量(m3/d)", "design_discharge_m3_d")),
    Column("discharge_nature", "排放性质", "discharge_nature", "enum", enum=DischargeNature),
    Column("party_names", "责任主体", "responsible_party", "party", aliases=("责任主体名称", "responsible_parties")),
    Column("party_usccs", "统一社会信用代码", "uscc", "party", aliases=("信用代码", "responsible_party_uscc")),
    Column("party_industries", "所属行业", "industry", "party", aliases=("行业",)),
    Column("party_contacts", "联系人及电话", "contact", "party", aliases=("联系人", "联系方式")),
    Column("status", "状态", "status", "enum", enum=OutfallStatus, aliases=("排污口状态",)),
    Column("approval", "设置审批/备案", "approval", "enum", enum=ApprovalState, aliases=("审批备案", "审批/备案")),
    Column("approval_number", "审批/备案文号", "approval_number", aliases=("文号",), max_length=100),
    Column("online_monitoring", "在线监测", "online_monitoring", "bool"),
    Column("video_monitoring", "视频监控", "video_monitoring", "bool"),
    Column("notes", "备注", "notes"),
]

BY_FIELD = {c.field: c for c in COLUMNS}
_DEFAULTS = {"status": OutfallStatus.IN_USE.value, "approval": ApprovalState.UNKNOWN.value}

def clean_row(raw: dict[str, object], *, area: geo.BBox, area_name: str) -> tuple[dict, list[tuple[str, str]]]:
    """Parse one row (field → cell) into cleaned outfall data; return (data, [(column, message)]).

    Checks the HJ 1312 type triple, coordinates (CRS known, inside the area, lon/lat not swapped;
    stored as WGS84 with the original kept) and the responsible parties (aligned lists; each
    credit code checked per GB 32100-2015). Town and uniqueness are checked by the caller.
    """
    data, problems = parse_row(raw, BY_FIELD)
    if any(c in ("一级类型", "二级类型", "三级类型") for c, _ in problems) is False and "type_l1" in data:
        try:
            validate_type(data.get("type_l1", ""), data.get("type_l2", ""), data.get("type_l3", ""))
        except ValueError as exc:
            problems.append(("一级类型" if "一级" in str(exc) else "二级类型" if "二级" in str(exc) else "三级类型",
                             str(exc)))
    for fname, default in _DEFAULTS.items():
        if fname in data and not data[fname]:
            data[fname] = default
    lon, lat = data.get("original_lon"), data.get("original_lat")
    if lon is not None and lat is not None:
        try:
            data["lon"], data["lat"], data["original_crs"] = geo.locate(lon, lat, data.get("original_crs"), area=area,
                                                                        area_name=area_name)
        except CoordinateError as exc:
            problems.append(("坐标系" if "坐标系" in exc.user_message else "经度", exc.user_message))
    parties, party_problems = clean_parties(data)
    problems.extend(party_problems)
    data["parties"] = parties
    return data, problems


def clean_parties(data: dict) -> tuple[list[dict], list[tuple[str, str]]]:
    """Aligned ；-separated lists → [{name, uscc, industry, contact}], checking each credit code."""
    names = data.pop("party_names", None) or []
    usccs = data.pop("party_usccs", None) or []
    inds = data.pop("party_industries", None) or []
    contacts = data.pop("party_contacts", None) or []
    problems = []
    for col, lst in (("统一社会信用代码", usccs), ("所属行业", inds), ("联系人及电话", contacts)):
        if len(lst) > len(names):
            problems.append((col, f"有 {len(lst)} 项，但责任主体只有 {len(names)} 个 (多个用「；」分隔，一一对应)"))
    parties = []
    for i, name in enumerate(names):
        uscc = usccs[i] if i < len(usccs) else ""
        if uscc:
            try:
                uscc = validate_uscc(uscc)
            except CodeError as exc:
                problems.append(("统一社会信用代码", exc.user_message))
        if not name:
            problems.append(("责任主体", f"第 {i + 1} 个责任主体名称为空"))
        parties.append({"name": name, "uscc": uscc or None, "industry": inds[i] if i < len(inds) else "",
                        "contact": contacts[i] if i < len(contacts) else ""})
    return parties, problems


def parties_columns(parties: list[dict]) -> dict[str, list[str]]:
    """[{name, uscc, industry, contact}] → the four aligned party columns."""
    return {
        "party_names": [p["name"] for p in parties],
        "party_usccs": [p["uscc"] or "" for p in parties],
        "party_industries": [p["industry"] for p in parties],
        "party_contacts": [p["contact"] for p in parties],
    }


def match_header(header: list[str]):
    """Map a ledger header row to columns (see ``outfall.core.columns.match_header``)."""
    return _match_header(header, COLUMNS)
