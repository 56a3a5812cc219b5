"""Cases (案件): inspection hand-overs, complaints, campaign findings and the system's own findings.

``rules`` holds the lifecycle, deadlines, overdue and masking; ``columns`` the case workbook;
``stats`` the counts the reports are made of. Pure: no Django, no database.
"""
