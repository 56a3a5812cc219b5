"""Top navigation: (url name, Chinese label, English label); entries whose app is absent are skipped."""

NAV = [
    ("mapui:map", "一张图", "Map"),
    ("monitoring:section-list", "断面", "Sections"),
    ("rivers:network", "河网", "Rivers"),
    ("accounts:towns", "镇街", "Towns"),
    ("alerts:list", "预警", "Alerts"),
    ("traces:list", "溯源", "Traces"),
]
