from django.urls import path

from outfall.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.towns_page, name="towns"),
    path("import/", views.towns_upload, name="towns-upload"),
]
