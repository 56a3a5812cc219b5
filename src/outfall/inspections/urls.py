from django.urls import path

from outfall.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("sw.js", views.service_worker, name="sw"),
    path("o/<str:code>/", views.scan, name="scan"),
    path("o/<str:code>/inspect/", views.inspect, name="inspect"),
    path("o/<str:code>/signboard/", views.signboard_page, name="signboard"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo_file, name="photo"),
]
