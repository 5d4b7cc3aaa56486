"""Synthetic archives for the benchmarks: many valid tickets and KB articles with realistic variety.

`generate(root, tickets, articles, seed)` writes root/tickets/YYYY/MM/<id>.md, root/kb/<id>-<slug>.md
and an empty root/mkdocs.yml (all settings default: Asia/Shanghai, P0 15 / P1 30 minutes). Every
file passes `tsgen validate` without errors; warnings (escalation rule, knowledge debt) occur as in a
real archive. Bodies have the guide's sections and about the length of the sample archive's
(ticket narratives median ~375 characters against the sample's ~440; articles ~440 against ~700),
so page-building benchmarks are not dominated by the fixed per-page parts. Same seed, same archive.
"""

from __future__ import annotations

import os
import random
from datetime import datetime, timedelta
from pathlib import Path

import yaml

START = datetime(2023, 1, 1, 8, 0)
DAYS = 730                                   # two years of tickets

PRIORITIES = (("P0", 3), ("P1", 12), ("P2", 40), ("P3", 35), ("P4", 10))
TYPES = (("fault", 50), ("consultation", 30), ("requirement", 15), ("other", 5))
STATUSES = (("resolved", 85), ("pending", 10), ("awaiting-customer", 5))
CHANNELS = ("ticket-system", "im", "phone", "email", "web", "other", "电话", "邮件")   # Chinese labels are accepted too
SATISFACTION = (("satisfied", 70), ("neutral", 20), ("dissatisfied", 10))
TAGS = ("权限", "数据库连接超时", "登录", "报表导出", "性能", "接口超时", "界面显示", "数据同步", "证书过期",
        "配置错误", "版本升级", "网络", "打印", "消息推送", "单点登录")
PEOPLE = ("初级工程师*", "初级工程师**", "高级工程师*", "技术负责人*", "运维工程师*", "研发工程师*")
CUSTOMERS = ("客户A", "客户B", "客户C", "内部测试环境", "客户D", "客户E")
SUBJECTS = ("订单模块", "报表中心", "用户管理", "支付网关", "消息中心", "数据看板", "审批流程", "移动端")
SYMPTOMS = ("报错“权限不足”", "页面加载缓慢", "数据库连接超时", "导出文件为空", "登录失败", "数据不同步",
            "按钮无响应", "接口返回500")
ACTIONS = ("电话联系客户确认现象", "查看系统日志", "在测试环境复现", "检查权限配置", "重启服务", "修改配置参数",
           "升级至最新补丁", "与研发确认原因", "备份配置文件")


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _kb_index(rng: random.Random, articles: int) -> int:
    """A few articles get most links (Pareto), as in a real knowledge base."""
    return min(int(rng.paretovariate(1.2)) - 1, articles - 1)

CONTEXTS = ("客户反馈该问题从今天上午开始出现，影响所在部门的全部用户。",
            "只有个别账号出现，同部门其他同事操作正常。",
            "问题在月末结算高峰期间反复出现，平时偶尔发生。",
            "客户在升级到新版本后第一次使用该功能时发现。",
            "客户称刷新页面或重新登录后问题依旧，已影响当天的业务处理。")
ERRORS = ("ERROR 403 ORDER_VIEW_DENIED: 权限不足，您没有访问该资源的权限",
          "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms",
          "504 Gateway Time-out: 报表导出任务执行超过 60 秒",
          "401 Unauthorized: signature expired (timestamp out of range)",
          "TypeError: Cannot read properties of undefined (reading 'length')")
FINDINGS = ("日志显示连接池在高峰期被占满，慢查询占用连接超过 30 秒。",
            "该账号的角色没有随部门调整同步更新，缺少对应的功能权限。",
            "导出的数据量超过单次导出上限，后台任务排队后超时。",
            "客户服务器时间与标准时间相差 8 分钟，接口签名校验失败。",
            "旧版浏览器不支持页面使用的脚本语法，部分组件未能加载。")
FEEDBACK = ("客户确认问题已解决，操作恢复正常。", "客户表示满意，希望后续版本增加操作提示。",
            "客户认为处理时间偏长，但对结果满意。", "客户暂未回复，已通过邮件发送处理说明。")


def _ticket_body(rng: random.Random, subject: str, symptom: str, steps: list[datetime]) -> str:
    """A narrative of the length and shape real tickets have (the sample archive's median is ~450 characters)."""
    lines = ["## 问题描述", "", f"{subject}{symptom}。{rng.choice(CONTEXTS)}", ""]
    if rng.random() < 0.6:
        lines += ["```", rng.choice(ERRORS), "```", ""]
    lines += ["## 处理步骤", ""]
    for i, step in enumerate(steps or [START], 1):
        lines.append(f"{i}. {step:%H:%M} {rng.choice(PEOPLE)}{rng.choice(ACTIONS)}：{rng.choice(FINDINGS)}")
    lines += ["", "## 解决方案", "", f"{rng.choice(ACTIONS)}，{rng.choice(FINDINGS)}处理后请客户重新操作验证。",
              "", "## 效果验证", "", f"按客户的操作路径复测{subject}，原报错不再出现；{rng.choice(CONTEXTS)[:-1]}的情况已排除。",
              "", "## 客户反馈", "", rng.choice(FEEDBACK), ""]
    return "\n".join(lines)


def _article_body(rng: random.Random, subject: str, symptom: str) -> str:
    """A KB article body with the guide's sections, about as long as the sample archive's articles."""
    steps = [f"{i}. {rng.choice(ACTIONS)}：{rng.choice(FINDINGS)}" for i in range(1, rng.randrange(4, 7))]
    return "\n".join(["## 问题描述", "", f"{subject}{symptom}。{rng.choice(CONTEXTS)}", "", "```",
                      rng.choice(ERRORS), "```", "", "## 原因分析", "", rng.choice(FINDINGS), rng.choice(FINDINGS),
                      "", "## 解决步骤", "", *steps, "", "## 验证", "",
                      f"按客户原操作路径复测{subject}，确认{symptom}不再出现，并检查其他模块未受影响。", "",
                      "## 注意事项", "",
                      "操作前备份配置文件；涉及权限变更时需客户管理员书面确认。", ""])


def _ticket(rng: random.Random, tid: str, created: datetime, earlier: list[str], articles: int) -> str:
    priority, type_, status = _pick(rng, PRIORITIES), _pick(rng, TYPES), _pick(rng, STATUSES)
    subject, symptom = rng.choice(SUBJECTS), rng.choice(SYMPTOMS)
    created_text = _fmt(created) if rng.random() < 0.8 else created.strftime("%Y-%m-%dT%H:%M:00+08:00")
    lines = ["---", f"id: {tid}", f"title: {subject}{symptom}", f"type: {type_}", f"priority: {priority}",
             f"created: {created_text}", f"status: {status}"]
    if rng.random() < 0.95:
        lines.append(f"channel: {rng.choice(CHANNELS)}")
    lines += [f"source: {rng.choice(CUSTOMERS)}",
              "customer:", "  name: 张*", f"  department: {rng.choice(('财务部', '销售部', '信息中心'))}",
              f"  contact: 138****{rng.randrange(10000):04d}",
              "environment:", f"  os: {rng.choice(('Windows 10', 'Windows 11', 'macOS 14', 'Ubuntu 22.04'))}",
              f"  version: V3.{rng.randrange(4)}.{rng.randrange(10)}",
              f"category: {rng.choice(('self-service', 'assisted', 'requirement'))}",
              f"assignee: {rng.choice(PEOPLE[:2])}"]
    fast = priority in ("P0", "P1")
    first = created + timedelta(minutes=rng.expovariate(1 / (12 if fast else 60)) + 1)
    if rng.random() < 0.8:
        lines.append(f"responded: {_fmt(first)}")
    located = created + timedelta(minutes=rng.expovariate(1 / (25 if fast else 240)) + 2)
    if rng.random() < 0.7:
        lines.append(f"located: {_fmt(located)}")
    else:
        located = first
    if (fast and rng.random() < 0.5) or rng.random() < 0.05:
        lines += [f"escalated_to: {rng.choice(PEOPLE[2:])}", f"escalated: {_fmt(located)}"]
    resolved = located + timedelta(hours=rng.lognormvariate(1.0, 1.2))
    if status == "resolved":
        lines += [f"resolved: {_fmt(resolved)}", f"solution: {rng.choice(ACTIONS)}后恢复正常"]
    tags = rng.sample(TAGS, rng.choice((0, 1, 1, 2, 2, 3)))
    if tags:
        lines.append(f"tags: [{', '.join(tags)}]")
    if articles and rng.random() < (0.6 if status == "resolved" else 0.2):
        kbs = sorted({f"KB{_kb_index(rng, articles) + 1:04d}" for _ in range(rng.choice((1, 1, 1, 2)))})
        lines.append(f"kb: [{', '.join(kbs)}]")
    if earlier and rng.random() < 0.03:
        lines.append(f"duplicate_of: {rng.choice(earlier[-1000:])}")
    if earlier and rng.random() < 0.02:
        lines.append(f"related: [{rng.choice(earlier[-500:])}]")
    if status == "resolved" and rng.random() < 0.6:
        lines.append(f"satisfaction: {_pick(rng, SATISFACTION)}")
        if rng.random() < 0.3:
            lines.append("feedback: 处理及时,问题已解决")
    if status == "resolved" and rng.random() < 0.5:
        lines.append("archive: archived")
    steps = sorted(first + timedelta(minutes=rng.randrange(0, 600)) for _ in range(rng.randrange(0, 4)))
    if steps:
        lines.append("log:")
        for step in [first, *steps]:
            lines += [f"  - at: {_fmt(step)}", f"    by: {rng.choice(PEOPLE)}", f"    action: {rng.choice(ACTIONS)}"]
    lines.append("---")
    return "\n".join(lines) + "\n\n" + _ticket_body(rng, subject, symptom, [first, *steps])


def _article(rng: random.Random, n: int, ticket_ids: list[str]) -> tuple[str, str]:
    kid = f"KB{n:04d}"
    subject, symptom = rng.choice(SUBJECTS), rng.choice(SYMPTOMS)
    lines = ["---", f"id: {kid}", f"title: {subject}{symptom}的处理",
             f"status: {rng.choice(('published', 'published', 'published', 'draft', 'retired'))}",
             f"tags: [{', '.join(rng.sample(TAGS, 2))}]",
             "applies_to:", f"  versions: [V3.{rng.randrange(4)}.x]", f"owner: {rng.choice(PEOPLE[2:])}",
             f"updated: 2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"]
    if ticket_ids and rng.random() < 0.3:
        lines.append(f"tickets: [{', '.join(sorted(set(rng.sample(ticket_ids, min(3, len(ticket_ids))))))}]")
    lines.append("---")
    return f"kb/{kid}-article-{n}.md", "\n".join(lines) + "\n\n" + _article_body(rng, subject, symptom)


def generate(root: Path, tickets: int, articles: int, seed: int = 1) -> None:
    """Write `tickets` tickets and `articles` KB articles under root, plus an empty mkdocs.yml."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text("", encoding="utf-8")
    moments = sorted(START + timedelta(minutes=rng.randrange(DAYS * 24 * 60)) for _ in range(tickets))
    per_day: dict[str, int] = {}
    ids: list[str] = []
    folders: set[Path] = set()
    for created in moments:
        day = created.strftime("%Y%m%d")
        per_day[day] = per_day.get(day, 0) + 1
        if per_day[day] > 9999:
            raise ValueError("more than 9999 tickets on one day: raise DAYS")
        tid = f"TS{day}{per_day[day]:04d}"
        folder = root / "tickets" / day[:4] / day[4:6]
        if folder not in folders:
            folder.mkdir(parents=True, exist_ok=True)
            folders.add(folder)
        (folder / f"{tid}.md").write_text(_ticket(rng, tid, created, ids, articles), encoding="utf-8")
        ids.append(tid)
    (root / "kb").mkdir(exist_ok=True)
    for n in range(1, articles + 1):
        path, text = _article(rng, n, ids)
        (root / path).write_text(text, encoding="utf-8")


def baseline_load(root: Path) -> int:
    """The benchmarks' common baseline: read, decode, split on the fences and yaml.load(CSafeLoader)
    every .md file under tickets/ and kb/, as a bare script would; returns the number of files."""
    count = 0
    for folder in ("tickets", "kb"):
        for dirpath, _, filenames in os.walk(root / folder):
            for name in filenames:
                if not name.endswith(".md"):
                    continue
                with open(os.path.join(dirpath, name), "rb") as fh:
                    text = fh.read().decode("utf-8")
                _, fm, _ = text.split("---\n", 2)
                yaml.load(fm, Loader=yaml.CSafeLoader)
                count += 1
    return count
