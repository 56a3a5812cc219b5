"""The rule set in force: the core's defaults, changed by the OUTFALL_ALERT_RULES setting (JSON)."""

from __future__ import annotations

import json

from django.conf import settings

from outfall.core.warning import DEFAULT_RULES, RuleConfigError, RuleSet


def parse_rules(text: str) -> RuleSet:
    """A RuleSet from JSON text (empty: the defaults); refuses unknown keys and impossible numbers.

    >>> parse_rules('{"version": 2, "repeat_k": 2}').repeat_k
    2
    """
    if not text or not text.strip():
        return DEFAULT_RULES
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"OUTFALL_ALERT_RULES 不是有效的 JSON / is not valid JSON: {exc}"
        raise RuleConfigError(msg, user_message=msg) from None
    if not isinstance(data, dict):
        msg = "OUTFALL_ALERT_RULES 必须是 JSON 对象 / must be a JSON object"
        raise RuleConfigError(msg, user_message=msg)
    return RuleSet.from_dict(data)


def current_rules() -> RuleSet:
    return parse_rules(getattr(settings, "OUTFALL_ALERT_RULES", ""))
