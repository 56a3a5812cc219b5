from django.urls import path

from outfall.mapui import views

app_name = "mapui"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("layers/<slug:name>.geojson", views.layer, name="layer"),
    path("search/", views.search, name="search"),
    path("network/", views.network, name="network"),
]
