"""Admin: alerts read-only (they change through the lifecycle services); channels are checked at
entry with the same validation the service uses."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from outfall.alerts.channels import validate_channel
from outfall.alerts.models import Alert, Channel, Delivery, OutfallLimit, Receptor, Subscription
from outfall.core.errors import InputError
from outfall.history.admin import ReadOnlyAdmin
from outfall.history.services import record_change


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


class HistoryAdmin(admin.ModelAdmin):
    """Admin saves and deletes write a ChangeRecord, as the services do (STYLE rule 3)."""

    fields_in_history: tuple = ()

    def _state(self, obj) -> dict:
        return {f: str(getattr(obj, f)) for f in self.fields_in_history}

    def save_model(self, request, obj, form, change):
        before = self._state(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record_change(obj, action="update" if change else "create", actor=request.user, before=before,
                      after=self._state(obj), note="admin")

    def delete_model(self, request, obj):
        record_change(obj, action="delete", actor=request.user, before=self._state(obj), after=None, note="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Channel)
class ChannelAdmin(HistoryAdmin):
    form = ChannelForm
    list_display = ["name", "kind", "active"]
    fields_in_history = ("name", "kind", "url", "recipients", "active")


@admin.register(Subscription)
class SubscriptionAdmin(HistoryAdmin):
    list_display = ["channel", "town", "section", "rule", "min_severity"]
    fields_in_history = ("channel", "town", "section", "rule", "min_severity")


@admin.register(Receptor)
class ReceptorAdmin(HistoryAdmin):
    list_display = ["section", "kind", "note"]
    fields_in_history = ("section", "kind", "note")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["id", "site_code", "parameter", "rule", "severity", "state", "opened_at", "last_time"]
    list_filter = ["state", "rule", "severity"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(OutfallLimit, ReadOnlyAdmin)
admin.site.register(Delivery, ReadOnlyAdmin)
