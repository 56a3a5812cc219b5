"""The permission matrix (issue #7): every role × every page URL, API operation, admin page and CLI
command that takes --user, against the tables below. Generated from the URL conf (walked
recursively), the OpenAPI schema, the admin registry and the CLI parser: a URL, operation, admin
model or command without a row FAILS with a message saying where to add it.

Adding a row is one line; how to read and write them: docs/development/permissions.md.
Every request is made in a transaction that is rolled back, so rows do not affect each other. Pages
are requested with a session login, API operations with the role's token; POST/PUT/PATCH send an
empty form/body (a permitted role then gets its form or 400 back, a refused one 403/404).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from rest_framework.authtoken.models import Token

import matrix
from factories import make_outfall, make_towns, make_users
from matrix import ROLES
from outfall.demo.laixi import rivers_geojson
from outfall.ledger.services import add_photo
from outfall.monitoring.ingest import import_readings
from outfall.monitoring.services import import_sections

# ---------------------------------------------------------------------------------------------------
#: Pages: HTTP status per role (session login). own/other: town staff of the fixture objects' town /
#: of another town; 302 from anonymous = sent to log in; 405 = method not allowed.
PAGES = {
    # (URL name, method)                        anon admin bureau own other insp viewer
    ("home", "GET"):                              (302, 200, 200, 200, 200, 200, 200),
    ("login", "GET"):                             (200, 200, 200, 200, 200, 200, 200),
    ("login", "POST"):                            (200, 200, 200, 200, 200, 200, 200),
    ("logout", "GET"):                            (302, 405, 405, 405, 405, 405, 405),
    ("logout", "POST"):                           (302, 302, 302, 302, 302, 302, 302),
    ("set_language", "GET"):                      (302, 302, 302, 302, 302, 302, 302),
    ("set_language", "POST"):                     (302, 302, 302, 302, 302, 302, 302),
    ("admin:index", "GET"):                       (302, 200, 302, 302, 302, 302, 302),
    ("admin:login", "GET"):                       (302, 302, 200, 200, 200, 200, 200),
    ("admin:login", "POST"):                      (302, 200, 200, 200, 200, 200, 200),
    ("admin:logout", "GET"):                      (302, 405, 302, 302, 302, 302, 302),
    ("admin:logout", "POST"):                     (302, 302, 302, 302, 302, 302, 302),
    ("admin:password_change", "GET"):             (302, 200, 302, 302, 302, 302, 302),
    ("admin:password_change", "POST"):            (302, 200, 302, 302, 302, 302, 302),
    ("admin:password_change_done", "GET"):        (302, 200, 302, 302, 302, 302, 302),
    ("admin:autocomplete", "GET"):                (302, 403, 302, 302, 302, 302, 302),
    ("admin:jsi18n", "GET"):                      (302, 200, 302, 302, 302, 302, 302),
    ("admin:view_on_site", "GET"):                (302, 404, 302, 302, 302, 302, 302),
    ("admin:auth_user_password_change", "GET"):   (302, 200, 302, 302, 302, 302, 302),
    ("admin:app_list", "GET"):                    (302, 200, 302, 302, 302, 302, 302),
    ("admin/(?P<url>.*)$", "GET"):                (302, 404, 302, 302, 302, 302, 302),
    ("ledger:list", "GET"):                       (302, 200, 200, 200, 200, 200, 200),
    ("ledger:create", "GET"):                     (302, 200, 200, 200, 200, 403, 403),
    ("ledger:create", "POST"):                    (302, 200, 200, 200, 200, 403, 403),
    ("ledger:import", "GET"):                     (302, 200, 200, 200, 200, 403, 403),
    ("ledger:import", "POST"):                    (302, 200, 200, 200, 200, 403, 403),
    ("ledger:export", "GET"):                     (302, 200, 200, 200, 200, 200, 200),
    ("ledger:export", "POST"):                    (302, 200, 200, 200, 200, 200, 200),
    ("ledger:export-jobs", "GET"):                (302, 200, 200, 200, 200, 200, 200),
    ("ledger:export-job", "GET"):                 (302, 200, 404, 200, 404, 404, 404),  # own: the requester
    ("ledger:export-job-download", "GET"):        (302, 200, 404, 200, 404, 404, 404),
    ("ledger:detail", "GET"):                     (302, 200, 200, 200, 200, 200, 200),
    ("ledger:edit", "GET"):                       (302, 200, 200, 200, 404, 404, 404),
    ("ledger:edit", "POST"):                      (302, 200, 200, 200, 404, 404, 404),
    ("ledger:cancel", "GET"):                     (302, 405, 405, 405, 405, 405, 405),
    ("ledger:cancel", "POST"):                    (302, 302, 302, 302, 404, 404, 404),
    ("ledger:photo-add", "GET"):                  (302, 405, 405, 405, 405, 405, 405),
    ("ledger:photo-add", "POST"):                 (302, 302, 302, 302, 404, 404, 404),
    ("ledger:photo-file", "GET"):                 (302, 200, 200, 200, 200, 200, 200),
    ("ledger:photo-remove", "GET"):               (302, 405, 405, 405, 405, 405, 405),
    ("ledger:photo-remove", "POST"):              (302, 302, 302, 302, 404, 404, 404),
    ("mapui:map", "GET"):                         (302, 200, 200, 200, 200, 200, 200),
    ("mapui:layer", "GET"):                       (302, 200, 200, 200, 200, 200, 200),
    ("mapui:search", "GET"):                      (302, 200, 200, 200, 200, 200, 200),
    ("mapui:network", "GET"):                     (302, 400, 400, 400, 400, 400, 400),  # no start given
    ("monitoring:section-list", "GET"):           (302, 200, 200, 200, 200, 200, 200),
    ("monitoring:section-detail", "GET"):         (302, 200, 200, 200, 200, 200, 200),
    ("monitoring:section-series", "GET"):         (302, 200, 200, 200, 200, 200, 200),
    ("monitoring:section-create", "GET"):         (302, 200, 200, 403, 403, 403, 403),
    ("monitoring:section-create", "POST"):        (302, 200, 200, 403, 403, 403, 403),
    ("monitoring:section-edit", "GET"):           (302, 200, 200, 403, 403, 403, 403),
    ("monitoring:section-edit", "POST"):          (302, 200, 200, 403, 403, 403, 403),
    ("alerts:list", "GET"):                       (302, 200, 200, 200, 200, 200, 200),
    ("alerts:detail", "GET"):                     (302, 200, 200, 200, 200, 200, 200),
    ("alerts:act", "GET"):                        (302, 405, 405, 405, 405, 405, 405),
    ("alerts:act", "POST"):                       (302, 302, 302, 302, 403, 403, 403),
    ("alerts:limit-add", "GET"):                  (302, 405, 405, 405, 405, 405, 405),
    ("alerts:limit-add", "POST"):                 (302, 302, 302, 302, 403, 403, 403),
    ("healthz", "GET"):                           (503, 503, 503, 503, 503, 503, 503),  # open; no worker here
    ("setup", "GET"):                             (404, 404, 404, 404, 404, 404, 404),
    ("setup", "POST"):                            (404, 404, 404, 404, 404, 404, 404),
    ("accounts:towns", "GET"):                    (302, 200, 200, 200, 200, 200, 200),
    ("accounts:towns-upload", "GET"):             (302, 405, 405, 405, 405, 405, 405),
    ("accounts:towns-upload", "POST"):            (302, 200, 200, 403, 403, 403, 403),
    ("rivers:network", "GET"):                    (302, 200, 200, 200, 200, 200, 200),
    ("rivers:upload", "GET"):                     (302, 405, 405, 405, 405, 405, 405),
    ("rivers:upload", "POST"):                    (302, 302, 302, 403, 403, 403, 403),
    ("traces:list", "GET"):                       (302, 200, 200, 200, 200, 200, 200),
    ("traces:create", "GET"):                     (302, 405, 405, 405, 405, 405, 405),
    ("traces:create", "POST"):                    (302, 302, 302, 403, 403, 403, 403),
    ("traces:from-alert", "GET"):                 (302, 405, 405, 405, 405, 405, 405),
    ("traces:from-alert", "POST"):                (302, 302, 302, 403, 403, 403, 403),
    ("traces:detail", "GET"):                     (302, 200, 200, 200, 404, 200, 200),
    ("traces:task-create", "GET"):                (302, 405, 405, 405, 405, 405, 405),
    ("traces:task-create", "POST"):               (302, 302, 302, 403, 404, 403, 403),
    ("traces:report", "GET"):                     (302, 200, 200, 200, 404, 200, 200),
    ("traces:task-list", "GET"):                  (302, 200, 200, 200, 200, 200, 200),
    ("traces:task-detail", "GET"):                (302, 200, 200, 200, 404, 200, 200),
    ("traces:task-complete", "GET"):              (302, 405, 405, 405, 405, 405, 405),
    ("traces:task-complete", "POST"):             (302, 302, 302, 302, 404, 302, 403),
    ("inspections:list", "GET"):                  (302, 200, 200, 200, 200, 200, 200),
    ("inspections:sw", "GET"):                    (302, 200, 200, 200, 200, 200, 200),
    ("inspections:scan", "GET"):                  (302, 302, 302, 302, 302, 302, 302),
    ("inspections:inspect", "GET"):               (302, 200, 200, 200, 403, 200, 403),
    ("inspections:inspect", "POST"):              (302, 400, 400, 400, 403, 400, 403),
    ("inspections:signboard", "GET"):             (302, 200, 200, 200, 200, 200, 200),
    ("inspections:detail", "GET"):                (302, 200, 200, 200, 200, 200, 200),
    ("inspections:photo", "GET"):                 (302, 200, 200, 200, 200, 200, 200),
    ("remediation:list", "GET"):                  (302, 200, 200, 200, 200, 200, 200),
    ("remediation:create", "GET"):                (302, 200, 200, 403, 403, 403, 403),
    ("remediation:create", "POST"):               (302, 200, 200, 403, 403, 403, 403),
    ("remediation:detail", "GET"):                (302, 200, 200, 200, 404, 200, 200),
    ("remediation:edit", "GET"):                  (302, 200, 200, 403, 404, 403, 403),
    ("remediation:edit", "POST"):                 (302, 200, 200, 403, 404, 403, 403),
    ("remediation:progress", "GET"):              (302, 405, 405, 405, 405, 405, 405),
    ("remediation:progress", "POST"):             (302, 302, 302, 302, 404, 403, 403),
    ("remediation:start", "GET"):                 (302, 405, 405, 405, 405, 405, 405),
    ("remediation:start", "POST"):                (302, 302, 302, 302, 404, 403, 403),
    ("remediation:request-close", "GET"):         (302, 405, 405, 405, 405, 405, 405),
    ("remediation:request-close", "POST"):        (302, 302, 302, 302, 404, 403, 403),
    ("remediation:sign-off", "GET"):              (302, 405, 405, 405, 405, 405, 405),
    ("remediation:sign-off", "POST"):             (302, 302, 302, 403, 404, 403, 403),
    ("remediation:reopen", "GET"):                (302, 405, 405, 405, 405, 405, 405),
    ("remediation:reopen", "POST"):               (302, 302, 302, 403, 404, 403, 403),
    ("remediation:evidence", "GET"):              (302, 200, 200, 200, 404, 200, 200),
    ("cases:list", "GET"):                        (302, 200, 200, 200, 200, 200, 200),
    ("cases:create", "GET"):                      (302, 200, 200, 200, 200, 200, 403),
    ("cases:create", "POST"):                     (302, 200, 200, 200, 200, 200, 403),  # empty form: shown again
    ("cases:import", "GET"):                      (302, 200, 200, 403, 403, 403, 403),
    ("cases:import", "POST"):                     (302, 200, 200, 403, 403, 403, 403),
    ("cases:export", "GET"):                      (302, 200, 200, 200, 200, 200, 200),  # masked unless bureau
    ("cases:campaigns", "GET"):                   (302, 200, 200, 200, 200, 200, 200),
    ("cases:campaigns", "POST"):                  (302, 200, 200, 403, 403, 403, 403),
    ("cases:from-task", "GET"):                   (302, 405, 405, 405, 405, 405, 405),
    ("cases:from-task", "POST"):                  (302, 302, 302, 302, 404, 302, 403),
    ("cases:from-alert", "GET"):                  (302, 405, 405, 405, 405, 405, 405),
    ("cases:from-alert", "POST"):                 (302, 302, 302, 302, 403, 302, 403),
    ("cases:note-file", "GET"):                   (302, 200, 200, 200, 404, 200, 200),
    ("cases:detail", "GET"):                      (302, 200, 200, 200, 404, 200, 200),
    ("cases:assign", "GET"):                      (302, 405, 405, 405, 405, 405, 405),
    ("cases:assign", "POST"):                     (302, 302, 302, 403, 404, 403, 403),
    ("cases:note", "GET"):                        (302, 405, 405, 405, 405, 405, 405),
    ("cases:note", "POST"):                       (302, 302, 302, 302, 404, 302, 403),
    ("cases:reply", "GET"):                       (302, 405, 405, 405, 405, 405, 405),
    ("cases:reply", "POST"):                      (302, 302, 302, 302, 404, 403, 403),
    ("cases:close", "GET"):                       (302, 405, 405, 405, 405, 405, 405),
    ("cases:close", "POST"):                      (302, 302, 302, 403, 404, 403, 403),  # 销号: bureau roles only
    ("cases:reopen", "GET"):                      (302, 405, 405, 405, 405, 405, 405),
    ("cases:reopen", "POST"):                     (302, 302, 302, 403, 404, 403, 403),
    ("dashboard:index", "GET"):                   (302, 200, 200, 200, 200, 200, 200),
    ("dashboard:monthly", "GET"):                 (302, 200, 200, 200, 200, 200, 200),
    ("dashboard:monthly-download", "GET"):        (302, 200, 200, 200, 200, 200, 200),
}

#: API: HTTP status per role (token); a URL in the OpenAPI schema lists exactly its operations.
API = {
    # (URL name, method)                        anon admin bureau own other insp viewer
    ("readings-push", "POST"):                    (401, 400, 400, 400, 400, 403, 403),
    ("network-navigate", "GET"):                  (401, 200, 200, 200, 200, 200, 200),
    ("network-report", "GET"):                    (401, 200, 200, 200, 200, 200, 200),
    ("outfall-list", "GET"):                      (401, 200, 200, 200, 200, 200, 200),
    ("outfall-list", "POST"):                     (401, 400, 400, 400, 400, 403, 403),
    ("outfall-detail", "GET"):                    (401, 200, 200, 200, 200, 200, 200),
    ("outfall-detail", "PATCH"):                  (401, 200, 200, 200, 404, 404, 404),
    ("outfall-detail", "PUT"):                    (401, 400, 400, 400, 404, 404, 404),
    ("section-list", "GET"):                      (401, 200, 200, 200, 200, 200, 200),
    ("section-detail", "GET"):                    (401, 200, 200, 200, 200, 200, 200),
    ("alert-list", "GET"):                        (401, 200, 200, 200, 200, 200, 200),
    ("alert-detail", "GET"):                      (401, 200, 200, 200, 200, 200, 200),
    ("alert-acknowledge", "POST"):                (401, 200, 200, 200, 403, 403, 403),
    ("alert-trace", "POST"):                      (401, 200, 200, 200, 403, 403, 403),
    ("alert-close", "POST"):                      (401, 200, 200, 200, 403, 403, 403),
    ("alert-confirm", "POST"):                    (401, 400, 400, 400, 403, 403, 403),
    ("alert-not-genuine", "POST"):                (401, 400, 400, 400, 403, 403, 403),
    ("alert-assign", "POST"):                     (401, 400, 400, 400, 403, 403, 403),
    ("trace-list", "GET"):                        (401, 200, 200, 200, 200, 200, 200),
    ("trace-list", "POST"):                       (401, 400, 400, 403, 403, 403, 403),
    ("trace-detail", "GET"):                      (401, 200, 200, 200, 404, 200, 200),
    ("trace-task-list", "GET"):                   (401, 200, 200, 200, 200, 200, 200),
    ("trace-task-list", "POST"):                  (401, 400, 400, 403, 403, 403, 403),
    ("trace-task-detail", "GET"):                 (401, 200, 200, 200, 404, 200, 200),
    ("trace-task-complete", "POST"):              (401, 400, 400, 400, 404, 400, 403),
    ("remediation-task-list", "GET"):             (401, 200, 200, 200, 200, 200, 200),
    ("remediation-task-list", "POST"):            (401, 400, 400, 403, 403, 403, 403),
    ("remediation-task-detail", "GET"):           (401, 200, 200, 200, 404, 200, 200),
    ("remediation-task-detail", "PATCH"):         (401, 200, 200, 403, 404, 403, 403),
    ("remediation-task-progress", "POST"):        (401, 400, 400, 400, 404, 403, 403),
    ("remediation-task-start", "POST"):           (401, 200, 200, 200, 404, 403, 403),
    ("remediation-task-request-close", "POST"):   (401, 400, 400, 400, 404, 403, 403),
    ("remediation-task-sign-off", "POST"):        (401, 400, 400, 403, 404, 403, 403),
    ("remediation-task-reopen", "POST"):          (401, 400, 400, 403, 404, 403, 403),
    ("whatif", "GET"):                            (401, 200, 200, 200, 200, 200, 200),
    ("inspection-list", "GET"):                   (401, 200, 200, 200, 200, 200, 200),
    ("inspection-list", "POST"):                  (401, 400, 400, 400, 400, 400, 403),
    ("inspection-detail", "GET"):                 (401, 200, 200, 200, 200, 200, 200),
    ("case-list", "GET"):                         (401, 200, 200, 200, 200, 200, 200),
    ("case-list", "POST"):                        (401, 400, 400, 400, 400, 400, 403),
    ("case-detail", "GET"):                       (401, 200, 200, 200, 404, 200, 200),
    ("case-assign", "POST"):                      (401, 400, 400, 403, 404, 403, 403),
    ("case-note", "POST"):                        (401, 400, 400, 400, 404, 400, 403),
    ("case-reply", "POST"):                       (401, 400, 400, 400, 404, 403, 403),
    ("case-close", "POST"):                       (401, 400, 400, 403, 404, 403, 403),
    ("case-reopen", "POST"):                      (401, 400, 400, 403, 404, 403, 403),
    ("case-contact", "GET"):                      (401, 200, 200, 403, 404, 403, 403),  # complainant unmasked
    ("case-campaign-list", "GET"):                (401, 200, 200, 200, 200, 200, 200),
    ("case-campaign-detail", "GET"):              (401, 200, 200, 200, 200, 200, 200),
    ("api-root", "GET"):                          (401, 200, 200, 200, 200, 200, 200),
    ("schema", "GET"):                            (401, 200, 200, 200, 200, 200, 200),
    ("api-docs", "GET"):                          (401, 200, 200, 200, 200, 200, 200),
}

#: Admin, per registered model: the admin user's status on its pages (every other role, anonymous
#: included, is sent to a login: 302). Read-only admins (services own the changes) answer 403 to add/delete.
ADMIN = {
    # model                                      changelist add change delete history
    "auth.group":                                 (200, 200, 200, 200, 200),
    "authtoken.tokenproxy":                       (200, 200, 200, 200, 200),
    "axes.accessattempt":                         (200, 403, 200, 200, 200),
    "axes.accesslog":                             (200, 403, 200, 200, 200),
    "axes.accessfailurelog":                      (200, 403, 200, 200, 200),
    "accounts.user":                              (200, 200, 200, 200, 200),
    "accounts.town":                              (200, 200, 200, 200, 200),
    "history.changerecord":                       (200, 403, 200, 403, 200),
    "ledger.outfall":                             (200, 403, 200, 403, 200),
    "ledger.responsibleparty":                    (200, 403, 200, 403, 200),
    "ledger.photo":                               (200, 403, 200, 403, 200),
    "rivers.river":                               (200, 403, 200, 403, 200),
    "rivers.reach":                               (200, 403, 200, 403, 200),
    "rivers.snap":                                (200, 403, 200, 403, 200),
    "monitoring.section":                         (200, 403, 200, 403, 200),
    "monitoring.sectionreading":                  (200, 403, 200, 403, 200),
    "monitoring.outfallreading":                  (200, 403, 200, 403, 200),
    "monitoring.stationbinding":                  (200, 200, 200, 200, 200),
    "alerts.alert":                               (200, 403, 200, 403, 200),
    "alerts.channel":                             (200, 200, 200, 200, 200),
    "alerts.subscription":                        (200, 200, 200, 200, 200),
    "alerts.receptor":                            (200, 200, 200, 200, 200),
    "alerts.outfalllimit":                        (200, 403, 200, 403, 200),
    "alerts.delivery":                            (200, 403, 200, 403, 200),
    "traces.trace":                               (200, 403, 200, 403, 200),
    "traces.verificationtask":                    (200, 403, 200, 403, 200),
    "inspections.inspection":                     (200, 403, 200, 403, 200),
    "inspections.inspectionphoto":                (200, 403, 200, 403, 200),
    "remediation.remediationtask":                (200, 403, 200, 403, 200),
    "remediation.progressupdate":                 (200, 403, 200, 403, 200),
    "remediation.evidence":                       (200, 403, 200, 403, 200),
    "remediation.reminder":                       (200, 403, 200, 403, 200),
    "cases.case":                                 (200, 403, 200, 403, 200),
    "cases.campaign":                             (200, 403, 200, 403, 200),
    "cases.casenote":                             (200, 403, 200, 403, 200),
}

#: CLI commands that take --user: exit code per role (anon = no --user: the first administrator).
#: Each reads or writes a small valid file of that kind (files() below); 0 = done, 2 = refused.
CLI = {
    # command                                    anon admin bureau own other insp viewer
    "import outfalls":                            (0, 0, 0, 0, 2, 2, 2),
    "import readings":                            (0, 0, 0, 0, 2, 2, 2),
    "import rivers":                              (0, 0, 0, 2, 2, 2, 2),
    "import sections":                            (0, 0, 0, 2, 2, 2, 2),
    "import towns":                               (0, 0, 0, 2, 2, 2, 2),
    "import limits":                              (0, 0, 0, 0, 2, 2, 2),
    "export ledger":                              (0, 0, 0, 0, 0, 0, 0),
}

# ---------------------------------------------------------------------------------------------------
#: Query string (GET) or body (other methods) a row needs; default none / empty; a function of the
#: fixture world when it names a fixture object.
REQUEST_DATA = {
    ("network-navigate", "GET"): {"start": "370285S04", "mode": "UT"},
    ("readings-push", "POST"): {"readings": [{}]},
    ("whatif", "GET"): lambda w: {"ban": w.outfall.code, "parameter": "NH3N"},
    ("dashboard:monthly-download", "GET"): {"format": "xlsx"},
}

#: How to fill a URL keyword: "object" (an attribute of the fixture world: its pk), "object.attr" (that
#: attribute of it) or a literal; by
#: (URL key, keyword) first, then by keyword alone.
PARAMS = {
    ("ledger:export-job", "pk"): "export_job",
    ("ledger:export-job-download", "pk"): "export_job",
    ("ledger", "pk"): "outfall",
    ("monitoring", "pk"): "section",
    ("outfall-detail", "pk"): "outfall",
    ("alerts:detail", "pk"): "alert",
    ("alerts:act", "pk"): "alert",
    ("alerts:limit-add", "pk"): "outfall",
    ("alerts", "pk"): "alert",
    ("alert-detail", "pk"): "alert",
    ("alert-acknowledge", "pk"): "alert",
    ("alert-trace", "pk"): "alert",
    ("alert-close", "pk"): "alert",
    ("alert-confirm", "pk"): "alert",
    ("alert-not-genuine", "pk"): "alert",
    ("alert-assign", "pk"): "alert",
    ("section-detail", "pk"): "section",
    ("traces:from-alert", "pk"): "alert",
    ("traces:task-detail", "pk"): "task",
    ("traces:task-complete", "pk"): "task",
    ("traces", "pk"): "trace",
    ("trace-detail", "pk"): "trace",
    ("trace-task-detail", "pk"): "task",
    ("trace-task-complete", "pk"): "task",
    ("inspections:photo", "photo_id"): "inspection_photo",
    ("inspections", "pk"): "inspection",
    ("inspection-detail", "pk"): "inspection",
    "code": "outfall.code",
    ("remediation", "pk"): "rtask",
    ("remediation-task-detail", "pk"): "rtask",
    ("remediation-task-progress", "pk"): "rtask",
    ("remediation-task-start", "pk"): "rtask",
    ("remediation-task-request-close", "pk"): "rtask",
    ("remediation-task-sign-off", "pk"): "rtask",
    ("remediation-task-reopen", "pk"): "rtask",
    "evidence_id": "evidence",
    ("cases:from-task", "pk"): "task",
    ("cases:from-alert", "pk"): "alert",
    ("cases:note-file", "pk"): "case_note",
    ("cases", "pk"): "case",
    ("case-campaign-detail", "pk"): "campaign",
    ("case-detail", "pk"): "case",
    ("case-assign", "pk"): "case",
    ("case-note", "pk"): "case",
    ("case-reply", "pk"): "case",
    ("case-close", "pk"): "case",
    ("case-reopen", "pk"): "case",
    ("case-contact", "pk"): "case",
    "photo_id": "photo",
    "name": "=outfalls",
    "app_label": "=ledger",
    "content_type_id": "outfall_ct",
    "object_id": "outfall",
    "id": "user",
    "url": "=nothing-here/",
    "format": "=json",
}

SECTIONS_CSV = ("断面编码,断面名称,经度,纬度,水质目标,级别,所在河流\n"
                "370285S01,马连庄,120.4235,37.12,Ⅱ,国控,大沽河\n"
                "370285S04,大沽河沽河桥,120.384,36.776,Ⅲ,市控,大沽河\n")


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()


class World:
    """The fixture objects every row's URL is filled from; all belong to town A."""


def build_world(media: str) -> World:
    from outfall.monitoring.models import Section
    from outfall.rivers.services import import_rivers

    w = World()
    w.town_a, w.town_b = make_towns()
    w.users = make_users(w.town_a, w.town_b)
    admin = w.users["admin"]
    w.tokens = {u.pk: Token.objects.create(user=u).key for u in w.users.values()}
    w.user = w.users["viewer"]
    w.outfall = make_outfall(w.town_a, admin, design_discharge_m3_d=100.0)  # a load for GET /api/whatif/
    w.outfall_ct = ContentType.objects.get_for_model(w.outfall)
    with override_settings(MEDIA_ROOT=media):
        w.photo = add_photo(w.outfall, SimpleUploadedFile("a.png", png_bytes()), actor=admin)
    import_sections(SECTIONS_CSV.encode(), actor=admin, name="sections.csv")
    w.section = Section.objects.get(code="370285S04")
    import_rivers(rivers_geojson(), actor=admin, name="rivers.geojson")
    import_readings(readings_csv(w).encode(), actor=admin, name="readings.csv")
    from outfall.monitoring.services import add_station_binding, create_station_account

    add_station_binding(create_station_account("matrix-station", actor=admin), w.section, actor=admin)
    build_alerts(w, admin)
    build_traces(w)
    with override_settings(MEDIA_ROOT=media):
        build_inspection(w)
        build_remediation(w)
    build_cases(w, admin, media)
    w.export_job = build_export_job(w, media)
    Group.objects.create(name="巡查组")
    AccessAttempt.objects.create(username="x", ip_address="192.0.2.1", user_agent="t", failures_since_start=1)
    AccessLog.objects.create(username="x", ip_address="192.0.2.1", user_agent="t")
    AccessFailureLog.objects.create(username="x", ip_address="192.0.2.1", user_agent="t", locked_out=False)
    return w


def build_alerts(w: World, admin) -> None:
    """One alert of town A (episode over) with a delivery, a channel with a subscription, a receptor
    and an outfall limit: the objects the alerts pages, API and admin open."""
    import datetime as dt

    from outfall.alerts import limits, services
    from outfall.alerts.models import Alert, Delivery

    t = dt.datetime(2025, 11, 6, 12, tzinfo=dt.UTC)
    w.alert = Alert.objects.create(site_kind="section", section=w.section, site_code=w.section.code,
                                   parameter="NH3N", rule="exceedance", severity="medium", opened_at=t, last_time=t,
                                   value=2.0, limit=1.0, peak=2.0, rules_version=1, explanation_zh="x",
                                   town=w.town_a, episode_open=False)
    channel = services.add_channel({"name": "群", "kind": "webhook", "url": "http://127.0.0.1:9/hook"}, actor=admin)
    services.add_subscription(channel, actor=admin)
    services.set_receptor(w.section, "drinking_water", actor=admin)
    limits.add_outfall_limit(w.outfall, {"parameter": "COD", "limit": "50", "unit": "mg/L"}, actor=admin)
    Delivery.objects.create(alert=w.alert, channel=channel, attempt=1, status="failed", error="test")


def build_inspection(w: World) -> None:
    """An inspection of the town-A outfall with a photo and a quick test."""
    import uuid

    from outfall.inspections.services import create_inspection

    w.inspection, _ = create_inspection(w.outfall, {"discharging": "yes"}, actor=w.users["inspector"],
                                        client_key=uuid.uuid4(), photos=[(SimpleUploadedFile("i.png", png_bytes()), "site")],
                                        quick_tests=[{"parameter": "NH3N", "value": "3.2"}])
    w.inspection_photo = w.inspection.photos.get()


def build_traces(w: World) -> None:
    """A trace of the alert whose one candidate is the town-A outfall, and an open task on it given to
    the inspector (fixture rows written directly, as the alert above)."""
    from outfall.traces.models import Trace, VerificationTask

    cand = {"outfall": w.outfall.code, "score": 1.0, "share": 0.5, "distance_km": 1.0, "travel_time_h": 1.0,
            "estimated_contribution_mg_l": 0.06, "group": 1,
            "evidence": {"path": [], "distance_km": 1.0, "travel_time_h": 1.0, "delivery": 0.99,
                         "load_feasibility": None, "data": 1.0, "data_reason": "no own readings", "type": 1.0,
                         "type_reason": "emits", "history": 1.0, "fit_likelihood": 1.0, "prior": 1.0, "fit_share": 0.5,
                         "share_sd": 0.0, "expected_contribution_mg_l": None, "load_ratio": None}}
    w.trace = Trace.objects.create(section=w.section, parameter="NH3N", at=w.alert.opened_at, alert=w.alert,
                                   window_h=48.0, inputs={"dispersion_m2_s": 5.0}, model_version="test",
                                   result={"section": w.section.code, "parameter": "NH3N", "at": "2025-11-06T20:00",
                                           "observed": 0.12, "limit": 1.0, "candidates": [cand],
                                           "unexplained_share": 0.5},
                                   series=[{"section": w.section.code, "times": ["2025-11-06T20:00:00+08:00"],
                                            "observed": [0.12], "explained": [0.1]}],
                                   map={"reaches": [], "sections": [], "outfalls": []})
    w.trace.candidates.add(w.outfall)
    w.task = VerificationTask.objects.create(trace=w.trace, outfall=w.outfall, assignee=w.users["inspector"])


def build_remediation(w: World) -> None:
    """A planned remediation task on the town-A outfall with one photo of progress, and a reminder
    (ASCII texts: the English pages test opens it too)."""
    import datetime as dt

    from outfall.remediation import services
    from outfall.remediation.models import Evidence, Reminder

    bureau = w.users["bureau"]
    w.rtask = services.create_task(w.outfall, {"measure": "standardize", "plan": "signboard", "department": "",
                                               "start_date": dt.date(2026, 1, 1), "deadline": dt.date(2026, 6, 30),
                                               "parameter": "NH3N"}, actor=bureau)
    services.add_progress(w.rtask, "site photo", [SimpleUploadedFile("p.png", png_bytes())], actor=bureau)
    w.evidence = Evidence.objects.get(update__task=w.rtask)
    Reminder.objects.create(task=w.rtask, kind="due_soon", deadline=w.rtask.deadline)
def build_cases(w: World, admin, media: str) -> None:
    """A complaint of town A assigned to town A with a note holding a photo, and a campaign."""
    from outfall.cases import services

    w.campaign = services.create_campaign(actor=admin, name="矩阵专项", year=2025)
    w.case = services.open_case(actor=admin, source="complaint", title="矩阵案件", towns=[w.town_a],
                                outfalls=[w.outfall], channel="12345", complainant_name="张三",
                                complainant_contact="13812345678")
    services.assign_case(w.case, actor=admin, town=w.town_a)
    with override_settings(MEDIA_ROOT=media):
        w.case_note = services.add_note(w.case, "现场照片", actor=admin, file=SimpleUploadedFile("a.png", png_bytes()))


def build_export_job(w: World, media: str):
    """A done export job of town A's staff member, its file under ``media``/exports."""
    from outfall.ledger.export_jobs import create_export_job, run_export_job

    with override_settings(OUTFALL_EXPORTS_DIR=Path(media) / "exports"):
        job = create_export_job(actor=w.users["town_a"], filters={}, rows=1)
        return run_export_job(job.pk)


def readings_csv(w: World) -> str:
    return ("site_code,time,parameter,value,unit\n370285S04,2025-11-06 20:00,氨氮,0.12,mg/L\n"
            f"{w.outfall.code},2025-11-06 20:00,COD,35,mg/L\n")


def files(w: World, folder: Path) -> dict[str, Path]:
    """One small valid file per CLI row (outfalls: a new outfall of town A)."""
    import json

    out = {"import outfalls": ("outfalls.csv", "排污口名称,一级类型,经度,纬度,所属镇街,受纳水体\n"
                               f"矩阵测试排口,其他排口,120.51,36.91,{w.town_a.name},大沽河\n"),
           "import sections": ("sections.csv", SECTIONS_CSV.replace("马连庄", "马连庄断面")),
           "import readings": ("readings.csv", "site_code,time,parameter,value,unit\n"
                               f"{w.outfall.code},2025-11-07 20:00,COD,30,mg/L\n"),
           "import rivers": ("rivers.geojson", json.dumps(rivers_geojson(), ensure_ascii=False)),
           "import limits": ("limits.csv", f"排污口编码,指标,限值,单位\n{w.outfall.code},COD,50,mg/L\n"),
           "import towns": ("towns.csv", f"code,name\n{w.town_a.code},{w.town_a.name}\n"),
           "export ledger": ("ledger.csv", None)}
    paths = {}
    for key, (name, text) in out.items():
        paths[key] = folder / name
        if text is not None:
            paths[key].write_text(text, encoding="utf-8")
    return paths


def fill(world: World, route: matrix.Route) -> dict:
    """The kwargs of ``route`` from the fixture world (see PARAMS)."""
    ns = route.key.split(":")[0]
    out = {}
    for kw in route.kwargs:
        how = PARAMS.get((route.key, kw)) or PARAMS.get((ns, kw)) or PARAMS.get(kw)
        assert how, (f"URL {route.key} ({route.route}) has the keyword <{kw}>: say how to fill it in PARAMS "
                     f"in tests/web/test_permission_matrix.py")
        if how.startswith("="):
            out[kw] = how[1:]
        else:  # "object" → its pk, "object.attr" → that attribute
            name, _, attr = how.partition(".")
            out[kw] = getattr(getattr(world, name), attr or "pk")
    return out


def url_of(world: World, route: matrix.Route, kwargs: dict | None = None) -> str:
    import re

    from django.urls import reverse

    kwargs = fill(world, route) if kwargs is None else kwargs
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    url = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1) or m.group(2)]), route.route)
    return "/" + url.replace("^", "").replace("$", "")


def diff(seen: dict, expected: dict) -> str:
    """The rows that differ, as the lines to paste once the new behaviour is the intended one."""
    lines = [f"  {k!r}: {seen.get(k)},   # the matrix says {expected.get(k)}"
             for k in {**expected, **seen} if seen.get(k) != expected.get(k)]
    return f"roles: {', '.join(ROLES)}\n" + "\n".join(lines)


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.media = tempfile.mkdtemp()
        cls.world = build_world(cls.media)

    def setUp(self):
        self.enterContext(override_settings(MEDIA_ROOT=self.media, OUTFALL_EXPORTS_DIR=Path(self.media) / "exports"))

    def test_every_url_has_a_row(self):
        routes = matrix.routes()
        rows = {key for key, _method in [*PAGES, *API]}
        missing, models = [], set()
        for key, route in routes.items():
            if found := matrix.admin_model_of(route):
                models.add(found[0])
            elif key not in rows:
                missing.append(f"{key}  ({route.route})")
        assert not missing, ("URLs without a row in the permission matrix; add a line per method to PAGES (or API) "
                             "in tests/web/test_permission_matrix.py (see docs/development/permissions.md):\n  "
                             + "\n  ".join(missing))
        assert models <= set(ADMIN), (f"admin models without a row in ADMIN (tests/web/test_permission_matrix.py): "
                                      f"{sorted(models - set(ADMIN))}")
        assert rows <= set(routes), f"rows for URLs that no longer exist (remove them): {sorted(rows - set(routes))}"
        assert set(ADMIN) <= set(matrix.admin_models()), "ADMIN rows for models no longer in the admin"
        assert {k for k, _m in PAGES}.isdisjoint({k for k, _m in API}), "a URL is in PAGES and in API"

    def test_api_rows_list_exactly_the_schema_operations(self):
        ops = matrix.schema_operations()
        methods = {}
        for key, method in API:
            methods.setdefault(key, set()).add(method)
        for name, in_schema in ops.items():
            assert methods.get(name) == in_schema, (f"API {name}: the matrix has {sorted(methods.get(name, []))}, "
                                                    f"the OpenAPI schema {sorted(in_schema)}; add or remove rows in API")
        for name in set(methods) - set(ops):
            assert methods[name] == {"GET"}, f"{name} is not in the schema: GET only"

    def observe(self, rows: dict, *, api: bool) -> dict:
        routes, clients = matrix.routes(), matrix.Clients(self.world)
        data = {k: v(self.world) if callable(v) else v for k, v in REQUEST_DATA.items()}
        return {(key, method): tuple(clients.request(method, role, url_of(self.world, routes[key]),
                                                     data.get((key, method)), api=api).status_code
                                     for role in ROLES)
                for key, method in rows}

    def test_pages(self):
        seen = self.observe(PAGES, api=False)
        assert seen == PAGES, "pages differ from the matrix:\n" + diff(seen, PAGES)

    def test_api(self):
        seen = self.observe(API, api=True)
        assert seen == API, "API differs from the matrix:\n" + diff(seen, API)

    def test_admin(self):
        # The admin lets in active staff only (AdminSite.has_permission), whatever the role: every role but
        # the admin is checked on every changelist and add page; the object pages (change, delete,
        # history) as anonymous and as a viewer, the one non-staff role standing for the others.
        clients, models, seen = matrix.Clients(self.world), matrix.admin_models(), {}
        for route in matrix.routes().values():
            if not (found := matrix.admin_model_of(route)):
                continue
            label, action = found
            kwargs = {}
            if route.kwargs:
                obj = models[label]._default_manager.order_by("pk").first()
                assert obj is not None, f"no {label} object to open in the admin: create one in build_world()"
                kwargs = {"object_id": obj.pk}
            url = url_of(self.world, route, kwargs)
            roles = ROLES if action in ("changelist", "add") else ("anon", "admin", "viewer")
            codes = {role: clients.request("GET", role, url).status_code for role in roles}
            admin_code = codes.pop("admin")
            assert set(codes.values()) == {302}, (route.key, codes)  # everyone but the admin → a login
            if action == "object":
                assert admin_code == 302, (route.key, admin_code)  # old-style object URL → its change page
            else:
                seen.setdefault(label, [None] * len(matrix.ADMIN_ACTIONS))[matrix.ADMIN_ACTIONS.index(action)] = admin_code
        seen = {k: tuple(v) for k, v in seen.items()}
        assert seen == ADMIN, "admin differs from the matrix:\n" + diff(seen, ADMIN)

    def test_cli(self):
        import pytest

        commands = matrix.cli_commands()
        assert set(commands) == set(CLI), (f"CLI commands taking --user without a row: {sorted(set(commands) - set(CLI))}; "
                                           f"rows for no command: {sorted(set(CLI) - set(commands))}")
        paths = files(self.world, Path(tempfile.mkdtemp()))
        assert set(CLI) <= set(paths), f"give {sorted(set(CLI) - set(paths))} a small valid file in files()"
        monkeypatch = pytest.MonkeyPatch()
        self.addCleanup(monkeypatch.undo)
        seen = {key: tuple(matrix.run_cli(self.world, commands[key], role, paths[key], monkeypatch) for role in ROLES)
                for key in CLI}
        assert seen == CLI, "CLI differs from the matrix:\n" + diff(seen, CLI)
