"""The data contract as data: one FieldSpec per ticket and KB field (data-contract.md sections 1-2).

The validator, the site's labels, the README's field table and `tsgen schema` all read these specs,
so a field's label, type, enum values and Chinese aliases are written down exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """One enum value with its labels; `aliases` are other spellings accepted on input."""

    value: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """One front-matter key: its kind, whether it is required, its labels and its help text."""

    key: str
    zh: str
    en: str
    kind: str  # line | text | enum | datetime | date | mapping | strings | ticket_id | ticket_ids | kb_ids | kb_id | log | verification
    required: bool = False
    choices: tuple[Choice, ...] = ()
    subkeys: tuple[str, ...] = ()        # known keys of a mapping
    open_mapping: bool = False           # other string keys allowed too
    default: object = None
    help: str = ""
    private: bool = False                # personal data: never published

    def label(self, language: str) -> str:
        return self.zh if language == "zh" else self.en

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (value, zh label, aliases; case-insensitive for Latin) -> value."""
        table: dict[str, str] = {}
        for c in self.choices:
            for spelling in (c.value, c.zh, *c.aliases):
                table[spelling] = c.value
                table[spelling.lower()] = c.value
        return table

    def choice(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.value == value), None)


TICKET_TYPES = (
    Choice("fault", "故障", "Fault"),
    Choice("consultation", "咨询", "Consultation"),
    Choice("requirement", "需求", "Requirement"),
    Choice("other", "其他", "Other"),
)
PRIORITIES = (
    Choice("P0", "P0 紧急", "P0 Urgent", ("紧急", "P0-紧急", "业务中断", "紧急/业务中断")),
    Choice("P1", "P1 高", "P1 High", ("高", "P1-高", "核心功能受影响", "高/核心功能受影响")),
    Choice("P2", "P2 中", "P2 Medium", ("中", "P2-中", "次要功能异常", "中/次要功能异常")),
    Choice("P3", "P3 低", "P3 Low", ("低", "P3-低", "体验优化建议", "低/体验优化建议")),
    Choice("P4", "P4 其他", "P4 Other", ("其他", "P4-其他")),
)
STATUSES = (
    Choice("resolved", "已解决", "Resolved"),
    Choice("pending", "待解决", "Pending"),
    Choice("awaiting-customer", "需客户配合", "Awaiting customer", ("awaiting_customer",)),
)
CHANNELS = (
    Choice("ticket-system", "工单系统", "Ticket system", ("ticket_system",)),
    Choice("im", "即时通讯", "IM"),
    Choice("phone", "电话", "Phone", ("客服电话",)),
    Choice("email", "邮件", "Email", ("电子邮件",)),
    Choice("web", "在线客服", "Web chat"),
    Choice("other", "其他", "Other"),
)
CATEGORIES = (
    Choice("self-service", "自主解决类", "Self-service", ("self_service", "自主解决")),
    Choice("assisted", "协助解决类", "Assisted", ("协助解决",)),
    Choice("requirement", "需求类", "Requirement"),
)
SATISFACTION = (
    Choice("satisfied", "满意", "Satisfied"),
    Choice("neutral", "一般", "Neutral"),
    Choice("dissatisfied", "不满意", "Dissatisfied"),
)
ARCHIVE = (
    Choice("archived", "已归档", "Archived"),
    Choice("pending", "待归档", "Not archived"),
)
KB_STATUSES = (
    Choice("draft", "草稿", "Draft"),
    Choice("published", "已发布", "Published"),
    Choice("retired", "已停用", "Retired"),
)

TICKET_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "工单编号", "Ticket ID", "ticket_id", required=True,
              help="<prefix><YYYYMMDD><NNNN>; the date is the local date of `created`; equals the file name"),
    FieldSpec("title", "标题", "Title", "line", required=True, help="one line, 1-200 characters"),
    FieldSpec("type", "问题类型", "Type", "enum", required=True, choices=TICKET_TYPES),
    FieldSpec("priority", "优先级", "Priority", "enum", required=True, choices=PRIORITIES),
    FieldSpec("created", "接收时间", "Received", "datetime", required=True,
              help="ISO 8601; without an offset it is read in the configured timezone"),
    FieldSpec("status", "处理结果", "Status", "enum", required=True, choices=STATUSES),
    FieldSpec("channel", "渠道", "Channel", "enum", choices=CHANNELS),
    FieldSpec("source", "问题来源", "Source", "text", help="e.g. 客户A, 内部测试环境"),
    FieldSpec("customer", "客户信息", "Customer", "mapping", subkeys=("name", "department", "contact"),
              help="name and contact are personal data and never published; department may be shown"),
    FieldSpec("environment", "环境信息", "Environment", "mapping",
              subkeys=("os", "version", "browser", "network"), open_mapping=True),
    FieldSpec("category", "问题分类", "Category", "enum", choices=CATEGORIES),
    FieldSpec("assignee", "处理人", "Assignee", "text"),
    FieldSpec("escalated_to", "升级至", "Escalated to", "text"),
    FieldSpec("escalated", "升级时间", "Escalated", "datetime"),
    FieldSpec("responded", "首次响应时间", "First response", "datetime"),
    FieldSpec("located", "定位原因时间", "Cause located", "datetime"),
    FieldSpec("resolved", "解决时间", "Resolved", "datetime", help="required when status is resolved"),
    FieldSpec("tags", "标签", "Tags", "strings"),
    FieldSpec("kb", "知识库", "Knowledge base", "kb_ids", help="a KB id or a list of KB ids"),
    FieldSpec("related", "关联工单", "Related tickets", "ticket_ids"),
    FieldSpec("duplicate_of", "重复问题", "Duplicate of", "ticket_id_ref",
              help="an earlier ticket this one repeats"),
    FieldSpec("solution", "解决方案", "Solution", "text"),
    FieldSpec("satisfaction", "客户满意度", "Satisfaction", "enum", choices=SATISFACTION),
    FieldSpec("feedback", "客户反馈", "Customer feedback", "text"),
    FieldSpec("archive", "归档状态", "Archive", "enum", choices=ARCHIVE, default="pending"),
    FieldSpec("log", "处理步骤", "Handling steps", "log", help="list of {at, by, action}"),
    FieldSpec("backup", "操作前备份", "Backup before change", "text"),
    FieldSpec("verification", "效果验证", "Verification", "verification",
              subkeys=("functional", "compatibility", "performance")),
)

KB_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "编号", "ID", "kb_id", required=True, help="KB + 4 or more digits; the file name starts with it"),
    FieldSpec("title", "标题", "Title", "line", required=True),
    FieldSpec("status", "状态", "Status", "enum", choices=KB_STATUSES, default="published"),
    FieldSpec("tags", "标签", "Tags", "strings"),
    FieldSpec("applies_to", "适用场景", "Applies to", "applies_to", subkeys=("versions", "permissions", "note")),
    FieldSpec("tickets", "关联工单", "Linked tickets", "ticket_ids"),
    FieldSpec("owner", "负责人", "Owner", "text"),
    FieldSpec("updated", "更新日期", "Updated", "date"),
    FieldSpec("review_by", "复审日期", "Review by", "date", help="after this date the article is due for review"),
)

# Labels of things that are not front-matter keys but appear on pages next to them.
EXTRA_LABELS: dict[str, tuple[str, str]] = {
    "customer.department": ("所属部门", "Department"),
    "description": ("问题描述", "Description"),
    "first_response": ("首次响应", "First response"),
    "resolution_time": ("解决用时", "Resolution time"),
    "sla": ("SLA", "SLA"),
    "versions": ("适用版本", "Versions"),
    "permissions": ("所需权限", "Permissions"),
    "note": ("说明", "Note"),
    "backlinks": ("引用此文的工单", "Tickets linking this article"),
    "duplicates": ("重复工单", "Duplicates"),
    "field": ("字段", "Field"),
    "value": ("内容", "Value"),
    "environment.os": ("操作系统", "OS"),
    "environment.version": ("软件版本", "Version"),
    "environment.browser": ("浏览器", "Browser"),
    "environment.network": ("网络环境", "Network"),
    "verification.functional": ("功能验证", "Functional"),
    "verification.compatibility": ("兼容性验证", "Compatibility"),
    "verification.performance": ("性能验证", "Performance"),
}

TICKET_SPEC = {f.key: f for f in TICKET_FIELDS}
KB_SPEC = {f.key: f for f in KB_FIELDS}

# Section headings a KB body must carry (either language counts).
KB_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("问题描述", ("问题描述", "problem")),
    ("原因分析", ("原因分析", "cause")),
    ("解决步骤", ("解决步骤", "resolution", "steps", "solution")),
)


def label(kind: str, key: str, language: str) -> str:
    """The label of a ticket or KB field (or a page-only item) in `language`."""
    spec = (TICKET_SPEC if kind == "ticket" else KB_SPEC).get(key)
    if spec is not None:
        return spec.label(language)
    zh, en = EXTRA_LABELS.get(key, (key, key))
    return zh if language == "zh" else en


def choice_label(kind: str, key: str, value: str | None, language: str) -> str:
    """The label of an enum value in `language` (the value itself when unknown)."""
    if value is None:
        return ""
    spec = (TICKET_SPEC if kind == "ticket" else KB_SPEC).get(key)
    c = spec.choice(value) if spec else None
    if c is None:
        return value
    return c.zh if language == "zh" else c.en
