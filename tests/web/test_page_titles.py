"""Every page of the URL conf, rendered as the admin, has a plain-text browser title (issue #12):
no markup in <title> (a block that leaks HTML, as the sections page once did), and not empty."""

from __future__ import annotations

import re
import tempfile

from django.test import TestCase, override_settings

import matrix
from test_permission_matrix import PAGES, build_world, url_of

TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)


def html_pages():
    """(URL key) of every page row the admin GETs with a 200, excluding Django's admin site."""
    return sorted(k for (k, m), codes in PAGES.items() if m == "GET" and codes[1] == 200 and not k.startswith("admin"))


class TitleTests(TestCase):
    def setUp(self):
        from django.utils import translation

        self.addCleanup(translation.deactivate)  # an English request leaves English active in the thread

    @classmethod
    def setUpTestData(cls):
        cls.media = tempfile.mkdtemp()
        cls.world = build_world(cls.media)

    def test_every_page_title_is_plain_text(self):
        for language in ("zh-hans", "en"):
            with self.subTest(language=language):
                self.check_titles(language)

    def check_titles(self, language):
        routes, clients, bad = matrix.routes(), matrix.Clients(self.world), []
        clients.session("admin").cookies["django_language"] = language
        with override_settings(MEDIA_ROOT=self.media):
            for key in html_pages():
                r = clients.request("GET", "admin", url_of(self.world, routes[key]))
                if not r.get("Content-Type", "").startswith("text/html"):
                    continue
                found = TITLE.search(r.content.decode())
                title = found.group(1).strip() if found else None
                if not title or title.startswith("·") or re.search(r"[<>]", title) or "&lt;" in title:
                    bad.append(f"{key} ({language}): {title!r}")
        assert not bad, "pages whose <title> is missing or holds markup:\n  " + "\n  ".join(bad)
