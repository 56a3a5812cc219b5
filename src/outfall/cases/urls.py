from django.urls import path

from outfall.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("import/", views.case_import, name="import"),
    path("export.xlsx", views.case_export, name="export"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("from-task/<int:pk>/", views.case_from_task, name="from-task"),
    path("from-alert/<int:pk>/", views.case_from_alert, name="from-alert"),
    path("notes/<int:pk>/file/", views.note_file, name="note-file"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/assign/", views.case_assign, name="assign"),
    path("<int:pk>/note/", views.case_note, name="note"),
    path("<int:pk>/reply/", views.case_reply, name="reply"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("<int:pk>/reopen/", views.case_reopen, name="reopen"),
]
