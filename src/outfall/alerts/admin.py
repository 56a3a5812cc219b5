"""Admin: alerts read-only (they change through the lifecycle services); channels are checked at
entry with the same validation the service uses."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from outfall.alerts.channels import validate_channel
from outfall.alerts.models import Alert, Channel, Delivery, OutfallLimit, Receptor, Subscription
from outfall.core.errors import InputError


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["name", "kind", "url", "secret", "recipients", "active"]

    def clean(self):
        data = super().clean()
        try:
            validate_channel(data.get("kind", ""), data.get("url", ""), data.get("secret", ""),
                             data.get("recipients", ""))
        except InputError as exc:
            raise ValidationError(exc.user_message) from None
        return data


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = ["name", "kind", "active"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["id", "site_code", "parameter", "rule", "severity", "state", "opened_at", "last_time"]
    list_filter = ["state", "rule", "severity"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


admin.site.register(Subscription)
admin.site.register(Receptor)
admin.site.register(OutfallLimit)
admin.site.register(Delivery)
