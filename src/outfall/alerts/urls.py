from django.urls import path

from outfall.alerts import panels, views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list, name="list"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/act/", views.alert_act, name="act"),
    path("limits/<int:pk>/add/", panels.limit_add, name="limit-add"),
]
