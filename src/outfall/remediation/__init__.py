"""Remediation tasks per outfall (整治任务, 国办函〔2022〕17号): measure, plan, deadline, progress with
evidence, close-out request, sign-off (销号), reopen; the outfall's status follows its task."""
