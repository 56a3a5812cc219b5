from django.urls import path

from outfall.remediation import views

app_name = "remediation"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_create, name="create"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/edit/", views.task_edit, name="edit"),
    path("<int:pk>/progress/", views.task_progress, name="progress"),
    path("<int:pk>/start/", views.task_start, name="start"),
    path("<int:pk>/request-close/", views.task_request_close, name="request-close"),
    path("<int:pk>/sign-off/", views.task_sign_off, name="sign-off"),
    path("<int:pk>/reopen/", views.task_reopen, name="reopen"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
]
