"""Domain enumerations with their presentation: value, Chinese label, English label, map colour.

Django fields derive ``choices`` from these (STYLE rule 6); the core uses the enum values.
Colours of water classes follow the national convention (环办〔2011〕22号 §2.3 as used in
reports): I–II blue, III green, IV yellow, V orange, worse than V red.
"""

from __future__ import annotations

import enum

__all__ = [
    "LabeledEnum",
    "WaterClass",
    "OutfallStatus",
    "EntryMode",
    "DischargeRegularity",
    "DischargeNature",
    "ApprovalState",
    "Role",
    "AlertRule",
    "AlertSeverity",
    "AlertState",
    "WaterType",
    "SectionLevel",
    "RemediationMeasure",
    "RemediationState",
    "CaseSource",
    "CaseState",
    "CaseResult",
    "ComplaintChannel",
    "colour_of",
    "choices",
]


class LabeledEnum(enum.StrEnum):
    """A string enum whose members carry a Chinese label, an English label and a colour.

    Examples
    --------
    >>> OutfallStatus.IN_USE.label
    '在用'
    >>> OutfallStatus("banned").label_en
    'banned'
    """

    def __new__(cls, value: str, label: str, label_en: str, colour: str = "#888888"):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        obj.label_en = label_en
        obj.colour = colour
        return obj

    def __str__(self) -> str:  # the stored value, never the repr
        return self.value

    @classmethod
    def from_text(cls, text: str):
        """Find a member by its value, Chinese label or English label (case-insensitive)."""
        t = str(text).strip()
        for m in cls:
            if t == m.value or t == m.label or t.lower() == m.label_en.lower() or t.lower() == m.value.lower():
                return m
        raise ValueError(text)


def choices(enum_cls) -> list[tuple[str, str]]:
    """Django-style ``choices``: (value, "中文 / English")."""
    return [(m.value, f"{m.label}") for m in enum_cls]


def colour_of(member) -> str:
    return member.colour


class WaterClass(LabeledEnum):
    """GB 3838-2002 water classes I–V plus worse than V (劣Ⅴ), ordered best to worst."""

    I = ("I", "Ⅰ类", "Class I", "#1E90FF")  # noqa: E741 (the class is called I)
    II = ("II", "Ⅱ类", "Class II", "#1E90FF")
    III = ("III", "Ⅲ类", "Class III", "#2E8B57")
    IV = ("IV", "Ⅳ类", "Class IV", "#F2C200")
    V = ("V", "Ⅴ类", "Class V", "#FF8C00")
    WORSE_V = ("劣V", "劣Ⅴ类", "Worse than V", "#E02020")

    @property
    def rank(self) -> int:
        """1 for class I … 6 for worse than V."""
        return _WATER_CLASS_ORDER.index(self) + 1

    @classmethod
    def from_rank(cls, rank: int) -> WaterClass:
        return _WATER_CLASS_ORDER[rank - 1]

    @classmethod
    def parse(cls, text: str) -> WaterClass:
        """Accept I/II/…, Roman numerals Ⅰ…Ⅴ, 1–6, '劣V', '劣Ⅴ', '劣Ⅴ类'.

        Examples
        --------
        >>> WaterClass.parse("Ⅲ").value, WaterClass.parse("劣Ⅴ类").value, WaterClass.parse("4").value
        ('III', '劣V', 'IV')
        """
        t = str(text).strip().replace("类", "").replace("Ⅴ", "V").replace("Ⅳ", "IV")
        t = t.replace("Ⅲ", "III").replace("Ⅱ", "II").replace("Ⅰ", "I").upper()
        if t in ("劣V", "VI", "6", "WORSE_V"):
            return cls.WORSE_V
        if t in ("1", "2", "3", "4", "5"):
            return _WATER_CLASS_ORDER[int(t) - 1]
        for m in cls:
            if m.value == t:
                return m
        raise ValueError(f"unknown water class {text!r}")

    @property
    def status(self) -> str:
        """Qualitative grade (环办〔2011〕22号 §2.3): 优 / 良好 / 轻度污染 / 中度污染 / 重度污染."""
        return {1: "优", 2: "优", 3: "良好", 4: "轻度污染", 5: "中度污染", 6: "重度污染"}[self.rank]


_WATER_CLASS_ORDER = [WaterClass.I, WaterClass.II, WaterClass.III, WaterClass.IV, WaterClass.V,
                      WaterClass.WORSE_V]


class WaterType(LabeledEnum):
    RIVER = ("river", "河流", "river", "#3388ff")
    LAKE = ("lake", "湖库", "lake/reservoir", "#3388ff")


class SectionLevel(LabeledEnum):
    NATIONAL = ("national", "国控", "national", "#B22222")
    PROVINCIAL = ("provincial", "省控", "provincial", "#D2691E")
    MUNICIPAL = ("municipal", "市控", "municipal", "#4682B4")
    COUNTY = ("county", "县控", "county", "#708090")


class OutfallStatus(LabeledEnum):
    IN_USE = ("in_use", "在用", "in use", "#2E8B57")
    TO_REMEDIATE = ("to_remediate", "待整治", "to remediate", "#FF8C00")
    REMEDIATING = ("remediating", "整治中", "remediating", "#F2C200")
    REMEDIATED = ("remediated", "已整治", "remediated", "#1E90FF")
    BANNED = ("banned", "已取缔", "banned", "#555555")
    MERGED = ("merged", "已合并", "merged", "#8A2BE2")
    CANCELLED = ("cancelled", "已注销", "cancelled", "#999999")


class EntryMode(LabeledEnum):
    """入河方式 (standards.md §5.1)."""

    OPEN_CHANNEL = ("open_channel", "明渠", "open channel")
    PIPE = ("pipe", "管道", "pipe")
    PUMP = ("pump", "泵站", "pump station")
    CULVERT_GATE = ("culvert_gate", "涵闸", "culvert gate")
    BOX_CULVERT = ("box_culvert", "箱涵", "box culvert")
    OTHER = ("other", "其他", "other")


class DischargeRegularity(LabeledEnum):
    """排放规律 (standards.md §5.1; HJ 521-2009 coarse codes)."""

    CONTINUOUS = ("continuous", "连续", "continuous")
    INTERMITTENT = ("intermittent", "间歇", "intermittent")
    SEASONAL = ("seasonal", "季节性", "seasonal")
    STORM = ("storm", "雨天排放", "storm only")
    NONE = ("none", "无排放", "not discharging")


class DischargeNature(LabeledEnum):
    """排放性质 (standards.md §5.1)."""

    INDUSTRIAL = ("industrial", "工业废水", "industrial wastewater")
    DOMESTIC = ("domestic", "生活污水", "domestic sewage")
    MIXED = ("mixed", "混合废污水", "mixed")
    FARMLAND = ("farmland", "农田退水", "farmland return flow")
    AQUACULTURE = ("aquaculture", "养殖尾水", "livestock/aquaculture effluent")
    STORMWATER = ("stormwater", "雨水", "stormwater")
    OTHER = ("other", "其他", "other")


class ApprovalState(LabeledEnum):
    """设置审批/备案 (standards.md §5.1)."""

    APPROVED = ("approved", "已审批", "approved")
    FILED = ("filed", "已备案", "filed")
    NONE = ("none", "未审批备案", "neither")
    UNKNOWN = ("unknown", "待核实", "to verify")


class Role(LabeledEnum):
    ADMIN = ("admin", "系统管理员", "administrator")
    BUREAU = ("bureau", "局机关人员", "bureau staff")
    TOWN = ("town", "镇街人员", "town staff")
    INSPECTOR = ("inspector", "巡查人员", "inspector")
    VIEWER = ("viewer", "只读用户", "viewer")


class AlertRule(LabeledEnum):
    """The early-warning rules (超标预警), see :mod:`outfall.core.warning`."""

    EXCEEDANCE = ("exceedance", "超标", "over target", "#E02020")
    APPROACHING = ("approaching", "临近限值", "approaching limit", "#F2C200")
    REPEATED = ("repeated", "反复超标", "repeated exceedance", "#B22222")
    JUMP = ("jump", "突变", "sudden jump", "#FF8C00")
    CLASS_WORSE = ("class_worse", "类别变差", "class worse than previous period", "#D2691E")
    TREND = ("trend", "上升趋势", "rising trend", "#CD853F")
    GAP = ("gap", "数据中断", "data gap", "#708090")
    DISCHARGE = ("discharge", "排放超标", "over discharge limit", "#8B0000")


class AlertSeverity(LabeledEnum):
    """Severity of an alert, least to most severe (:func:`outfall.core.warning.severity_of`)."""

    LOW = ("low", "提示", "notice", "#1E90FF")
    MEDIUM = ("medium", "预警", "warning", "#F2C200")
    HIGH = ("high", "严重", "serious", "#FF8C00")
    CRITICAL = ("critical", "紧急", "critical", "#E02020")

    @property
    def rank(self) -> int:
        """0 for low … 3 for critical."""
        return list(AlertSeverity).index(self)


class RemediationMeasure(LabeledEnum):
    """整治措施 of an outfall (国办函〔2022〕17号《关于加强入河入海排污口监督管理工作的实施意见》:
    依法取缔、清理合并、规范整治)."""

    BAN = ("ban", "依法取缔", "ban by law", "#555555")
    MERGE = ("merge", "清理合并", "clean up and merge", "#8A2BE2")
    STANDARDIZE = ("standardize", "规范整治", "bring up to standard", "#1E90FF")


class RemediationState(LabeledEnum):
    """Lifecycle of a remediation task: planned → in progress → close-out requested → signed off;
    reopened with a reason back to in progress (:data:`outfall.core.remediation.TRANSITIONS`)."""

    PLANNED = ("planned", "待整治", "planned", "#FF8C00")
    IN_PROGRESS = ("in_progress", "整治中", "in progress", "#F2C200")
    CLOSE_REQUESTED = ("close_requested", "申请销号", "close-out requested", "#1E90FF")
    SIGNED_OFF = ("signed_off", "已销号", "signed off", "#2E8B57")


class AlertState(LabeledEnum):
    """Lifecycle of an alert: new → acknowledged → tracing → confirmed / not genuine → closed
    (:data:`outfall.core.warning.TRANSITIONS`)."""

    NEW = ("new", "新预警", "new", "#E02020")
    ACKNOWLEDGED = ("acknowledged", "已确认收到", "acknowledged", "#FF8C00")
    TRACING = ("tracing", "溯源中", "tracing", "#F2C200")
    CONFIRMED = ("confirmed", "属实", "confirmed", "#8B0000")
    NOT_GENUINE = ("not_genuine", "不属实", "not genuine", "#708090")
    CLOSED = ("closed", "已关闭", "closed", "#2E8B57")


class CaseSource(LabeledEnum):
    """Where a case (案件) comes from: inspection offices' hand-overs, complaints, campaigns, the
    system's own traces and alerts, and field patrols (see :mod:`outfall.core.cases`)."""

    CENTRAL_INSPECTION = ("central_inspection", "中央生态环境保护督察交办件", "central inspection case", "#B22222")
    PROVINCIAL_INSPECTION = ("provincial_inspection", "省级督察交办件", "provincial inspection case", "#D2691E")
    COMPLAINT = ("complaint", "信访", "complaint", "#1E90FF")
    CAMPAIGN = ("campaign", "专项执法检查发现问题", "enforcement campaign finding", "#8A2BE2")
    TRACE_TASK = ("trace_task", "溯源核查", "trace verification", "#2E8B57")
    ALERT = ("alert", "预警", "alert", "#E02020")
    FIELD = ("field", "现场巡查发现", "field patrol finding", "#708090")


class CaseState(LabeledEnum):
    """Lifecycle of a case: intake → assigned → handling → replied → closed
    (:data:`outfall.core.cases.rules.TRANSITIONS`)."""

    INTAKE = ("intake", "受理", "received", "#E02020")
    ASSIGNED = ("assigned", "已交办", "assigned", "#FF8C00")
    HANDLING = ("handling", "办理中", "in hand", "#F2C200")
    REPLIED = ("replied", "已答复", "replied", "#1E90FF")
    CLOSED = ("closed", "已办结", "closed", "#2E8B57")


class CaseResult(LabeledEnum):
    """The finding a case is closed (销号) with."""

    RECTIFIED = ("rectified", "已整改", "rectified", "#2E8B57")
    NOT_SUBSTANTIATED = ("not_substantiated", "不属实", "not substantiated", "#708090")
    PARTLY = ("partly", "部分属实已整改", "partly substantiated, rectified", "#1E90FF")
    OTHER = ("other", "其他", "other", "#888888")


class ComplaintChannel(LabeledEnum):
    """How a complaint (信访) came in."""

    HOTLINE_12345 = ("12345", "12345 政务服务热线", "12345 government hotline", "#1E90FF")
    HOTLINE_12369 = ("12369", "12369 环保举报热线", "12369 environment hotline", "#2E8B57")
    LETTER = ("letter", "来信", "letter", "#8A2BE2")
    VISIT = ("visit", "来访", "visit", "#D2691E")
    OTHER = ("other", "其他", "other", "#888888")
