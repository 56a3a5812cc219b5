"""Remediation of outfalls (整治, 国办函〔2022〕17号), with no database.

- ``rules``     the task lifecycle, entry checks, the outfall status that follows the task, due dates
- ``effect``    the effect check: a section's readings before the work and after the sign-off
"""

from outfall.core.remediation.rules import (
    ACTIONS,
    DUE_STATES,
    OPEN_STATES,
    TRANSITIONS,
    TransitionError,
    can_transition,
    check_reopen,
    check_sign_off,
    check_task,
    due_status,
    next_state,
    outfall_status_for,
)

__all__ = ["ACTIONS", "DUE_STATES", "OPEN_STATES", "TRANSITIONS", "TransitionError", "can_transition",
           "check_reopen", "check_sign_off", "check_task", "due_status", "next_state", "outfall_status_for"]
