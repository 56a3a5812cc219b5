from django.urls import path

from outfall.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.section_list, name="section-list"),
    path("new/", views.section_create, name="section-create"),
    path("<int:pk>/", views.section_detail, name="section-detail"),
    path("<int:pk>/series.json", views.section_series, name="section-series"),
    path("<int:pk>/edit/", views.section_edit, name="section-edit"),
]
