from django.urls import path

from outfall.traces import views

app_name = "traces"
urlpatterns = [
    path("", views.trace_list, name="list"),
    path("new/", views.trace_create, name="create"),
    path("from-alert/<int:pk>/", views.trace_from_alert, name="from-alert"),
    path("<int:pk>/", views.trace_detail, name="detail"),
    path("<int:pk>/tasks/", views.task_create, name="task-create"),
    path("<int:pk>/report.docx", views.trace_report, name="report"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/", views.task_detail, name="task-detail"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task-complete"),
]
