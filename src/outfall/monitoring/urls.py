from django.urls import path

from outfall.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.section_list, name="section-list"),
    path("<int:pk>/", views.section_detail, name="section-detail"),
]
