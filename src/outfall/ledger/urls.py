from django.urls import path

from outfall.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.outfall_list, name="list"),
    path("new/", views.outfall_create, name="create"),
    path("import/", views.import_view, name="import"),
    path("export/", views.export, name="export"),
    path("exports/", views.export_job_list, name="export-jobs"),
    path("exports/<int:pk>/", views.export_job, name="export-job"),
    path("exports/<int:pk>/download/", views.export_job_download, name="export-job-download"),
    path("<int:pk>/", views.outfall_detail, name="detail"),
    path("<int:pk>/edit/", views.outfall_edit, name="edit"),
    path("<int:pk>/cancel/", views.outfall_cancel, name="cancel"),
    path("<int:pk>/photos/", views.photo_add, name="photo-add"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo_file, name="photo-file"),
    path("<int:pk>/photos/<int:photo_id>/delete/", views.photo_remove, name="photo-remove"),
]
