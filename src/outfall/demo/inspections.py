"""Demo field inspections (现场巡查): three visits in the last month, through the service as a phone
would send them, so the outfall file, the inspections list and the readings show field quick tests:

- 官庄橡胶 (the main story's culprit): not discharging by day, white latex deposits, ammonia in the
  pool below the pipe; a finding that opens a case (现场巡查发现: night watch);
- 沟头养殖场: brown, foul-smelling discharge with quick tests far above the receiving water's class,
  and a case;
- an ordinary outfall (其他排口) checked from 260 m away (flagged 位置偏离).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import uuid

#: (outfall name or None for the first domestic outfall, days ago, user, offset east in metres,
#:  observations, quick tests, photo colour)
VISITS = [
    ("莱西市官庄橡胶有限公司排污口", 3, "inspector", 15.0,
     {"discharging": "no", "colour": "white", "odour": "slight", "foam": "none",
      "notes": "白天未见排水；排口下方积水呈乳白色，管口有白色胶状沉积物",
      "finding": "疑似夜间偷排含氨胶乳废水，与 7 月洙河氨氮超标吻合；建议夜间蹲守并立案调查", "open_case": "on"},
     [{"parameter": "NH3N", "value": "18.5"}, {"parameter": "PH", "value": "8.9"}], (235, 235, 225)),
    ("莱西市沟头养殖场排口", 10, "inspector", 30.0,
     {"discharging": "yes", "colour": "brown", "odour": "foul", "foam": "some", "flow_value": "0.8",
      "flow_unit": "L/s", "notes": "雨后养殖粪污塘溢流，经沟渠入河", "finding": "养殖废水直排入河", "open_case": "on"},
     [{"parameter": "NH3N", "value": "45"}, {"parameter": "TP", "value": "5.2"}, {"parameter": "COD", "value": "320"}],
     (110, 80, 40)),
    (None, 24, "bureau", 260.0,
     {"discharging": "no", "colour": "none", "odour": "none", "foam": "none", "notes": "排口干燥，标志牌完好"},
     [{"parameter": "NH3N", "value": "0.05L"}], (120, 140, 160)),
]


def _photo(rgb) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (320, 240), rgb).save(buf, "JPEG", quality=80)
    return buf.getvalue()


def load(*, stdout) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from outfall.inspections.models import Inspection
    from outfall.inspections.services import create_inspection
    from outfall.ledger.models import Outfall

    if Inspection.objects.exists():
        stdout.write("演示巡查已存在，跳过 / demo inspections already recorded\n")
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["inspector", "bureau"])}
    now = timezone.now().replace(microsecond=0)
    made = 0
    for name, days, username, east_m, obs, tests, rgb in VISITS:
        qs = Outfall.objects.filter(is_demo=True)
        o = qs.filter(name=name).first() if name else qs.filter(type_l1="其他排口").order_by("code").first()
        if o is None or username not in users:
            continue
        lon = o.lon + east_m / (111_320.0 * math.cos(math.radians(o.lat)))  # metres east → degrees
        data = {**obs, "lon": f"{lon:.7f}", "lat": f"{o.lat:.7f}", "accuracy_m": "8",
                "inspected_at": (now - dt.timedelta(days=days, hours=-10 + days % 5)).isoformat()}
        create_inspection(o, data, actor=users[username], client_key=uuid.uuid5(uuid.NAMESPACE_URL, f"demo/{o.code}"),
                          photos=[(SimpleUploadedFile("site.jpg", _photo(rgb)), "site")], quick_tests=tests)
        made += 1
    stdout.write(f"已记录 {made} 次演示现场巡查 / demo field inspections\n")
