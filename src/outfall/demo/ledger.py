"""Demo towns, users (one per role) and about 300 outfalls of every type, placed along the rivers."""

from __future__ import annotations

import math
import random

from outfall.core.coding import USCC_CHARSET, uscc_check_char
from outfall.core.enums import (
    ApprovalState,
    DischargeNature,
    DischargeRegularity,
    EntryMode,
    OutfallStatus,
    Role,
)
from outfall.core.outfall_types import TYPES, UNDETERMINED
from outfall.demo.laixi import REACHES, TOWNS

DEMO_USERS = [
    ("admin", Role.ADMIN, None, "系统管理员"),
    ("bureau", Role.BUREAU, None, "生态环境局"),
    ("shuiji", Role.TOWN, "水集街道", "水集街道"),
    ("jiangshan", Role.TOWN, "姜山镇", "姜山镇"),
    ("inspector", Role.INSPECTOR, None, "巡查员"),
    ("viewer", Role.VIEWER, None, "领导查看"),
]

#: level-1 type → (share of outfalls, typical design discharge m³/d range, nature)
_MIX = {
    "工业排污口": (0.22, (50, 3000), DischargeNature.INDUSTRIAL),
    "城镇污水处理厂排污口": (0.04, (5000, 60000), DischargeNature.DOMESTIC),
    "农业排口": (0.16, (10, 300), DischargeNature.AQUACULTURE),
    "其他排口": (0.53, (1, 500), DischargeNature.DOMESTIC),
    UNDETERMINED: (0.05, (1, 100), DischargeNature.OTHER),
}
_ENTERPRISE = ["食品", "纺织", "化工", "机械", "橡胶", "酿造", "印染", "制药", "电子", "建材", "皮革", "造纸"]
_INDUSTRY = {"食品": "食品制造业", "纺织": "纺织业", "化工": "化学原料和化学制品制造业", "机械": "通用设备制造业",
             "橡胶": "橡胶和塑料制品业", "酿造": "酒、饮料和精制茶制造业", "印染": "纺织业", "制药": "医药制造业",
             "电子": "计算机、通信和其他电子设备制造业", "建材": "非金属矿物制品业", "皮革": "皮革、毛皮制品业",
             "造纸": "造纸和纸制品业"}
_VILLAGES = "东庄 西庄 南村 北村 前店 后店 大河 小河 王家 李家 张家 刘家 姜家 孙家 河崖 沟头 岭上 庄头 官庄 新庄".split()


def demo_uscc(rng: random.Random) -> str:
    """A credit code with a valid GB 32100-2015 check character (region 370285)."""
    body = "91370285" + "".join(rng.choice(USCC_CHARSET) for _ in range(9))
    return body + uscc_check_char(body)


def _point_near_river(rng: random.Random, centre: tuple[float, float]) -> tuple[tuple[float, float], str]:
    """A point 15–250 m off a river bank, on the reach vertex segment nearest ``centre`` (±4 km)."""
    best = None
    for _rid, name, _kind, _to, _u, _q, coords in REACHES:
        for (x1, y1), (x2, y2) in zip(coords, coords[1:], strict=False):
            for t in (0.1, 0.3, 0.5, 0.7, 0.9):
                x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
                d = math.hypot((x - centre[0]) * 0.8, y - centre[1]) + rng.random() * 0.04
                if best is None or d < best[0]:
                    best = (d, (x1, y1, x2, y2), name)
    _, (x1, y1, x2, y2), name = best
    t = rng.random()
    x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
    dx, dy = (x2 - x1) * 0.8, y2 - y1
    norm = math.hypot(dx, dy) or 1.0
    off = rng.uniform(15, 250) / 111_000 * rng.choice((-1, 1))
    return (round(x - dy / norm * off / 0.8, 6), round(y + dx / norm * off, 6)), name


def outfall_rows(n: int = 300, *, seed: int = 370285) -> list[dict]:
    """Cleaned outfall data for ``n`` demo outfalls (town by name), deterministic for a seed."""
    rng = random.Random(seed)
    rows = []
    seen: dict[str, int] = {}
    l1s = list(_MIX)
    weights = [_MIX[k][0] for k in l1s]
    for i in range(n):
        l1 = l1s[i] if i < len(l1s) else rng.choices(l1s, weights)[0]
        l2s = list(TYPES[l1])
        l2 = l2s[i % len(l2s)] if l2s and i < 40 else (rng.choice(l2s) if l2s else "")
        l3s = TYPES[l1].get(l2, ()) if l2 else ()
        l3 = rng.choice(l3s) if l3s else ""
        code, name, kind, centre = TOWNS[i % len(TOWNS)]
        (lon, lat), river = _point_near_river(rng, centre)
        village = rng.choice(_VILLAGES)
        lo, hi = _MIX[l1][1]
        parties = []
        if l1 == "工业排污口":
            trade = rng.choice(_ENTERPRISE)
            pname = f"莱西市{village}{trade}有限公司"
            parties = [{"name": pname, "uscc": demo_uscc(rng), "industry": _INDUSTRY[trade],
                        "contact": f"{rng.choice('王李张刘孙赵')}经理 138{rng.randint(10000000, 99999999)}"}]
            oname = f"{pname}{'雨水' if '雨洪' in l2 else ''}排污口"
        elif l1 == "城镇污水处理厂排污口":
            pname = f"莱西市{name.replace('街道', '').replace('镇', '')}污水处理厂"
            parties = [{"name": pname, "uscc": demo_uscc(rng), "industry": "水的生产和供应业", "contact": ""}]
            oname = f"{pname}排污口"
        elif l1 == "农业排口":
            pname = f"莱西市{village}{'养殖场' if '畜禽' in l2 else '水产养殖场'}"
            parties = [{"name": pname, "uscc": demo_uscc(rng) if rng.random() < 0.6 else None,
                        "industry": "畜牧业" if "畜禽" in l2 else "渔业", "contact": ""}]
            oname = f"{pname}排口"
        elif l1 == "其他排口":
            parties = [{"name": f"{name}人民政府" if "镇" in name else f"{name}办事处", "uscc": None,
                        "industry": "公共管理", "contact": ""}]
            oname = f"{village}村{l2 or '排口'}"
        else:
            oname = f"{village}村附近不明排口"
        status = rng.choices([s.value for s in OutfallStatus if s != OutfallStatus.CANCELLED],
                             [55, 15, 10, 12, 4, 4])[0]
        seen[oname] = seen.get(oname, 0) + 1
        rows.append({
            "name": oname if seen[oname] == 1 else f"{oname}({seen[oname]}号)",
            "type_l1": l1, "type_l2": l2, "type_l3": l3,
            "original_lon": lon, "original_lat": lat, "original_crs": "WGS84", "lon": lon, "lat": lat,
            "town": name, "receiving_water": river.replace("(示意)", ""),
            "address": f"{name}{village}村", "entry_mode": rng.choice([m.value for m in EntryMode]),
            "discharge_regularity": rng.choice([m.value for m in DischargeRegularity]),
            "design_discharge_m3_d": float(round(math.exp(rng.uniform(math.log(lo), math.log(hi))))),
            "discharge_nature": _MIX[l1][2].value, "status": status,
            "approval": rng.choice([a.value for a in ApprovalState]),
            "approval_number": "", "online_monitoring": l1 in ("城镇污水处理厂排污口",) or rng.random() < 0.1,
            "video_monitoring": rng.random() < 0.15, "notes": "演示数据", "national_code": None,
            "parties": parties, "is_demo": True,
        })
    return rows


def load(*, stdout) -> None:
    """Towns, demo users (passwords printed) and outfalls; idempotent (outfalls only once)."""
    from django.contrib.auth import get_user_model

    from outfall.accounts.models import Town
    from outfall.accounts.passwords import generate_password
    from outfall.ledger.models import Outfall
    from outfall.ledger.services import create_outfall

    towns = {}
    for code, name, kind, _c in TOWNS:
        towns[name], _ = Town.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    User = get_user_model()
    stdout.write("演示账号 / demo logins (密码每次运行 outfall demo 时重新生成):\n")
    admin = None
    for username, role, town, first_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.role, user.town, user.first_name = role.value, towns.get(town), first_name
        user.is_staff = user.is_superuser = role == Role.ADMIN
        password = generate_password(user)
        user.set_password(password)
        user.save()
        admin = admin or user
        stdout.write(f"  {role.label:<6} {username:<10} {password}\n")
    if Outfall.objects.filter(is_demo=True).exists():
        stdout.write("演示排污口已存在，跳过 / demo outfalls already loaded\n")
        return
    import uuid

    batch = uuid.uuid4()
    for row in outfall_rows():
        create_outfall({**row, "town": towns[row["town"]]}, actor=admin, batch_id=batch)
    stdout.write(f"已创建 {Outfall.objects.filter(is_demo=True).count()} 个演示排污口\n")
