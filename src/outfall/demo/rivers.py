"""The Laixi demo network (synthetic lines with the real rivers' names), imported and snapped."""

from __future__ import annotations


def load(*, stdout) -> None:
    from django.contrib.auth import get_user_model

    from outfall.demo.laixi import rivers_geojson
    from outfall.rivers.models import Reach
    from outfall.rivers.services import import_rivers

    if Reach.objects.filter(is_demo=True).exists():
        stdout.write("演示河网已存在，跳过 / demo rivers already loaded\n")
        return
    admin = get_user_model().objects.filter(username="admin").first()
    r = import_rivers(rivers_geojson(), actor=admin, name="laixi-demo-rivers.geojson", is_demo=True)
    stdout.write(f"已导入演示河网 {r.reaches} 个河段，吸附 {r.snapped} 个排污口/断面 (距离过远 {r.far} 个)\n")
