from django.urls import path

from outfall.rivers import views

app_name = "rivers"
urlpatterns = [
    path("", views.network_page, name="network"),
    path("import/", views.upload, name="upload"),
]
