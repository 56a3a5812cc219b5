"""Chinese first, English selectable (issue #2: accounts and roles)."""

from django.test import TestCase

from factories import make_towns, make_users


class LanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        a, b = make_towns()
        cls.user = make_users(a, b)["bureau"]

    def test_chinese_by_default_even_for_an_english_browser(self):
        self.client.force_login(self.user)
        r = self.client.get("/ledger/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        assert "排污口台账" in r.content.decode() and 'lang="zh-hans"' in r.content.decode()

    def test_english_when_chosen(self):
        self.client.force_login(self.user)
        r = self.client.post("/i18n/setlang/", {"language": "en", "next": "/ledger/"})
        assert r.status_code == 302
        body = self.client.get("/ledger/").content.decode()
        assert "Outfall ledger" in body and "Search" in body and 'lang="en"' in body

    def test_every_template_string_has_an_english_translation(self):
        import re
        from pathlib import Path

        import outfall

        po = Path(outfall.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
        text = po.read_text(encoding="utf-8")
        untranslated = re.findall(r'\nmsgid "(.+)"\nmsgstr ""\n\n', text)
        assert untranslated == []
