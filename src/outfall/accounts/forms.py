"""Forms of the accounts pages: the first administrator (setup) and the towns upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FirstAdminForm(forms.Form):
    username = forms.CharField(label="用户名 / username", max_length=150)
    email = forms.EmailField(label="电子邮件 / e-mail", required=False)
    password1 = forms.CharField(label="密码 / password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="再次输入 / again", widget=forms.PasswordInput, strip=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cd = super().clean()
        if cd.get("password1") and cd.get("password1") != cd.get("password2"):
            self.add_error("password2", "两次输入的密码不一致 / passwords differ")
        return cd


class TownFileForm(forms.Form):
    file = forms.FileField(label=_("镇街文件 (.geojson .gpkg .zip .csv .xlsx)"))
    crs = forms.CharField(label=_("坐标系 (文件未声明时)"), required=False, max_length=60)
    dry_run = forms.BooleanField(label=_("仅检查，不写入"), required=False, initial=True)
