"""The labelled part of the search benchmark: topic articles and tickets planted into a synthetic
archive, and queries with the pages that must come back.

Each topic is one published KB article (plus, for some, a retired older version) and a few tickets
about the same problem, written the way the sample archive writes them. The synthetic bulk
(bench/synth.py) shares their everyday words (登录, 权限, 超时, 客户 ...), so a query must rank the
right pages above thousands of tickets that merely mention some of its words.

A query's `wanted` are the pages a support engineer must see in the first results (the hit rate counts
them within the top 10); its `relevant` (wanted plus the topic's other pages) is what precision@10
counts for multi-word queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

TOPICS = [
    # key, KB title, error strings, body words, ticket titles
    ("ora", "Oracle 数据库连接报 ORA-12170: TNS:Connect timeout 的排查",
     ["ORA-12170: TNS:Connect timeout occurred"],
     "应用服务器连接 Oracle 数据库时报错，监听端口 1521 不通或防火墙拦截。检查 tnsnames.ora 与 sqlnet.ora 的超时设置。",
     ["财务系统保存凭证时报 ORA-12170 连接超时", "夜间批处理连接 Oracle 失败，日志出现 ORA-12170"]),
    ("413", "上传附件报 HTTP 413 Request Entity Too Large：调整 Nginx client_max_body_size",
     ["413 Request Entity Too Large", "HTTP 413"],
     "附件大于网关允许的请求体大小时，Nginx 直接返回 413。调大 client_max_body_size 并重载配置。",
     ["合同扫描件上传失败，浏览器提示 HTTP 413", "批量上传图片时报 413 错误"]),
    ("sock", "接口调用报 java.net.SocketTimeoutException: Read timed out 的处理",
     ["java.net.SocketTimeoutException: Read timed out"],
     "下游接口响应慢于客户端的读超时设置，连接被客户端断开。调大 readTimeout，排查下游慢查询。",
     ["ERP 推送订单时偶发 java.net.SocketTimeoutException", "对账接口调用超时，日志为 SocketTimeoutException"]),
    ("vpn", "出差或在家办公时登录不了系统：VPN 客户端与双因素认证",
     ["VPN_AUTH_FAILED"],
     "员工出差在外或在家办公时，需要先连接公司 VPN 才能访问系统。客户常说“在家登不上”“出差连不上”。检查 VPN 客户端版本与动态口令。",
     ["销售出差期间在酒店登不上系统", "员工在家办公无法登录，提示网络不可达"]),
    ("print", "仓库出库单无法打印：打印控件与默认打印机设置",
     ["PRINT_PLUGIN_NOT_FOUND"],
     "点击打印出库单无反应或提示未安装打印控件。客户常说“出库单打不了”。重新安装打印控件，设置默认打印机与纸张大小。",
     ["仓库出库单打不了，点击打印没有反应", "出库单打印预览空白"]),
    ("cors", "前端跨域请求被拦截：配置 CORS 允许的来源",
     ["No 'Access-Control-Allow-Origin' header is present on the requested resource"],
     "浏览器控制台提示 CORS 错误，预检请求 OPTIONS 返回 403。在网关配置 Access-Control-Allow-Origin 允许门户域名。",
     ["门户调用开放接口被 CORS 拦截", "新域名上线后浏览器报跨域 CORS 错误"]),
    ("qps", "开放接口限流：QPS 超过阈值返回 429 Too Many Requests",
     ["429 Too Many Requests: rate limit exceeded"],
     "每个应用的调用频率受 QPS 限制，超过阈值返回 429。客户应降低并发或申请提高配额。",
     ["批量同步时接口返回 429，QPS 超限", "促销期间调用量大，接口被限流"]),
    ("redis", "Redis 连接数耗尽导致页面卡顿：maxclients 与连接池配置",
     ["redis.clients.jedis.exceptions.JedisConnectionException: Could not get a resource from the pool"],
     "高峰期 Redis 连接数达到 maxclients，应用拿不到连接。调整 Jedis 连接池 maxTotal，排查未归还连接。",
     ["高峰期页面卡顿，日志报 Redis 连接池耗尽", "缓存服务 Redis 拿不到连接，登录变慢"]),
    ("cert", "SSL 证书过期导致浏览器提示连接不是私密连接",
     ["NET::ERR_CERT_DATE_INVALID"],
     "网站证书过期后浏览器拦截访问。续签证书并在负载均衡上更新，设置到期前 30 天提醒。",
     ["门户打开提示证书过期 NET::ERR_CERT_DATE_INVALID", "移动端访问提示证书无效"]),
    ("csv", "导入 CSV 文件中文乱码：另存为 UTF-8 编码后再导入",
     ["IMPORT_ENCODING_ERROR"],
     "Excel 默认把 CSV 存成 GBK 编码，导入后中文变成乱码。用 UTF-8 编码另存后再导入。",
     ["导入客户名单后姓名全是乱码", "CSV 导入报编码错误"]),
    ("sms", "手机收不到短信验证码：运营商拦截与短信签名报备",
     ["SMS_SEND_FAILED: signature not approved"],
     "短信签名未报备或被运营商拦截时，用户收不到验证码。检查短信平台发送记录与签名状态。",
     ["用户收不到登录短信验证码", "注册时短信验证码一直不来"]),
    ("perm", "导出报表提示权限不足：为角色开通“报表导出”权限",
     ["REPORT_EXPORT_DENIED: 权限不足"],
     "用户能打开报表却不能导出，报错权限不足。为其角色勾选“报表导出”功能权限，重新登录后生效。",
     ["区域经理导出销售报表提示权限不足", "财务导出对账报表时报 REPORT_EXPORT_DENIED"]),
    ("npe", "保存订单时报 java.lang.NullPointerException：必填字段为空",
     ["java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"name\" is null",
      "at com.acme.order.OrderService.save(OrderService.java:118)"],
     "客户名称为空时订单服务取名称长度抛出空指针，保存失败。在表单校验必填字段，补丁修复了空值判断。",
     ["保存订单偶发空指针，日志 NullPointerException", "订单服务 OrderService.save 抛出异常"]),
    ("disk", "附件上传失败：服务器磁盘已满（ENOSPC: no space left on device）",
     ["Error: ENOSPC: no space left on device, write"],
     "文件服务器的数据盘写满后，上传接口写临时文件失败。清理过期的临时文件，扩容数据盘并设置磁盘用量告警。",
     ["上传文件一直失败，服务器日志 ENOSPC", "文件服务写入失败，磁盘空间不够"]),
    ("502", "网关返回 HTTP 502 Bad Gateway：上游服务未启动或崩溃",
     ["502 Bad Gateway", "upstream prematurely closed connection while reading response header from upstream"],
     "Nginx 网关找不到可用的上游服务时返回 502。检查上游应用进程与健康检查，查看 upstream 日志。",
     ["访问系统时报 502 Bad Gateway", "网关偶发 502，上游服务重启后恢复"]),
]

DAY = "20240315"           # the planted tickets' date (synth has at most a few hundred tickets a day)


@dataclass
class Query:
    """A labelled query: what an engineer types, the pages that must come back, the kind of query."""

    text: str
    kind: str                      # error, symptom, multi, id, title, english
    wanted: list[str]
    relevant: list[str] = field(default_factory=list)


def _kid(i: int) -> str:
    return f"KB{9001 + i}"


def _tid(i: int, j: int) -> str:
    return f"TS{DAY}{9001 + i * 10 + j:04d}"


def plant(root: Path) -> dict[str, list[str]]:
    """Write every topic's article and tickets into the archive; returns topic key -> page URLs."""
    pages: dict[str, list[str]] = {}
    (root / "tickets" / DAY[:4] / DAY[4:6]).mkdir(parents=True, exist_ok=True)
    for i, (key, title, errors, words, tickets) in enumerate(TOPICS):
        kid = _kid(i)
        code = "\n".join(errors)
        body = (f"## 问题描述\n\n{words}\n\n```\n{code}\n```\n\n## 原因分析\n\n{words}\n\n## 解决步骤\n\n"
                f"1. 按报错信息确认原因。\n2. {words}\n")
        (root / "kb" / f"{kid}-topic-{key}.md").write_text(
            f"---\nid: {kid}\ntitle: \"{title}\"\nstatus: published\ntags: [\"{key}\"]\n"
            f"applies_to:\n  versions: [V3.2.x]\n---\n\n{body}", encoding="utf-8")
        urls = [f"kb/{kid}/"]
        for j, ttitle in enumerate(tickets):
            tid = _tid(i, j)
            tbody = (f"## 问题描述\n\n{ttitle}。{words[:40]}\n\n```\n{errors[0]}\n```\n\n## 解决方案\n\n"
                     f"按 {kid} 处理后恢复正常。\n")
            (root / "tickets" / DAY[:4] / DAY[4:6] / f"{tid}.md").write_text(
                f"---\nid: {tid}\ntitle: \"{ttitle}\"\ntype: fault\npriority: P2\ncreated: 2024-03-15 10:{j:02d}\n"
                f"status: resolved\nresolved: 2024-03-15 12:00\nsolution: 按 {kid} 处理\nkb: [{kid}]\n"
                f"customer:\n  name: 王*\n  contact: 139****0000\n---\n\n{tbody}", encoding="utf-8")
            urls.append(f"tickets/{tid}/")
        pages[key] = urls
    return pages


def queries(pages: dict[str, list[str]]) -> list[Query]:
    """The labelled queries over the planted topics."""
    kb = {k: v[0] for k, v in pages.items()}
    rel = pages
    q = [
        Query("ORA-12170", "error", [kb["ora"]], rel["ora"]),
        Query("ORA-12170: TNS:Connect timeout", "error", [kb["ora"]], rel["ora"]),
        Query("HTTP 413", "error", [kb["413"]], rel["413"]),
        Query("413 Request Entity Too Large", "error", [kb["413"]], rel["413"]),
        Query("java.net.SocketTimeoutException", "error", [kb["sock"]], rel["sock"]),
        Query("SocketTimeoutException: Read timed out", "error", [kb["sock"]], rel["sock"]),
        Query("报错“REPORT_EXPORT_DENIED”", "error", [kb["perm"]], rel["perm"]),
        Query("NET::ERR_CERT_DATE_INVALID", "error", [kb["cert"]], rel["cert"]),
        Query("JedisConnectionException", "error", [kb["redis"]], rel["redis"]),
        Query("No 'Access-Control-Allow-Origin' header", "error", [kb["cors"]], rel["cors"]),
        Query("429 Too Many Requests", "error", [kb["qps"]], rel["qps"]),
        Query("SMS_SEND_FAILED", "error", [kb["sms"]], rel["sms"]),
        Query("客户说出差，在家登不上", "symptom", [kb["vpn"]], rel["vpn"]),
        Query("为什么出库单打不了，急", "symptom", [kb["print"]], rel["print"]),
        Query("客户反馈收不到验证码", "symptom", [kb["sms"]], rel["sms"]),
        Query("导入以后中文全是乱码怎么办", "symptom", [kb["csv"]], rel["csv"]),
        Query("浏览器说证书过期了", "symptom", [kb["cert"]], rel["cert"]),
        Query("附件传不上去，提示413", "symptom", [kb["413"]], rel["413"]),
        Query("导出报表 权限不足", "multi", [kb["perm"]], rel["perm"]),
        Query("Redis 连接池 耗尽", "multi", [kb["redis"]], rel["redis"]),
        Query("跨域 CORS 拦截", "multi", [kb["cors"]], rel["cors"]),
        Query("接口 限流 QPS", "multi", [kb["qps"]], rel["qps"]),
        Query("出库单 打印 控件", "multi", [kb["print"]], rel["print"]),
        Query("VPN 出差 登录", "multi", [kb["vpn"]], rel["vpn"]),
        Query("短信 验证码 签名", "multi", [kb["sms"]], rel["sms"]),
        Query("CSV 乱码 UTF-8", "multi", [kb["csv"]], rel["csv"]),
        Query("CORS", "english", [kb["cors"]], rel["cors"]),
        Query("QPS", "english", [kb["qps"]], rel["qps"]),
        Query("Redis", "english", [kb["redis"]], rel["redis"]),
        Query("Nginx client_max_body_size", "english", [kb["413"]], rel["413"]),
        Query("出差或在家办公时登录不了系统", "title", [kb["vpn"]], rel["vpn"]),
        Query("仓库出库单无法打印", "title", [kb["print"]], rel["print"]),
        Query("SSL 证书过期导致浏览器提示连接不是私密连接", "title", [kb["cert"]], rel["cert"]),
        Query("导入 CSV 文件中文乱码", "title", [kb["csv"]], rel["csv"]),
        Query("开放接口限流", "title", [kb["qps"]], rel["qps"]),
    ]
    # more of each kind, written as engineers and customers write them (not copied from the texts)
    q += [
        Query("ora-12170", "error", [kb["ora"]], rel["ora"]),
        Query("TNS:Connect timeout occurred", "error", [kb["ora"]], rel["ora"]),
        Query("net.SocketTimeoutException", "error", [kb["sock"]], rel["sock"]),
        Query("SocketTimeoutException", "error", [kb["sock"]], rel["sock"]),
        Query("java.lang.NullPointerException", "error", [kb["npe"]], rel["npe"]),
        Query("NullPointerException", "error", [kb["npe"]], rel["npe"]),
        Query("OrderService.save", "error", [kb["npe"]], rel["npe"]),
        Query("ENOSPC: no space left on device", "error", [kb["disk"]], rel["disk"]),
        Query("ENOSPC", "error", [kb["disk"]], rel["disk"]),
        Query("HTTP 502", "error", [kb["502"]], rel["502"]),
        Query("502 Bad Gateway", "error", [kb["502"]], rel["502"]),
        Query("ERR_CERT_DATE_INVALID", "error", [kb["cert"]], rel["cert"]),
        Query("REPORT_EXPORT_DENIED", "error", [kb["perm"]], rel["perm"]),
        Query("提示“SMS_SEND_FAILED”", "error", [kb["sms"]], rel["sms"]),
        Query("报错“权限不足”", "error", [kb["perm"]], rel["perm"]),
        Query("redis.clients.jedis.exceptions.JedisConnectionException", "error", [kb["redis"]], rel["redis"]),
        Query("客户那边说手机一直收不到验证码", "symptom", [kb["sms"]], rel["sms"]),
        Query("为啥导出报表的时候提示权限不足啊", "symptom", [kb["perm"]], rel["perm"]),
        Query("保存订单的时候老是报空指针", "symptom", [kb["npe"]], rel["npe"]),
        Query("客户说上传文件一直失败，服务器磁盘满了", "symptom", [kb["disk"]], rel["disk"]),
        Query("网关报502了怎么办？", "symptom", [kb["502"]], rel["502"]),
        Query("调用接口被限流了，急！", "symptom", [kb["qps"]], rel["qps"]),
        Query("网关 502 上游", "multi", [kb["502"]], rel["502"]),
        Query("磁盘 已满 上传", "multi", [kb["disk"]], rel["disk"]),
        Query("订单 空指针 必填", "multi", [kb["npe"]], rel["npe"]),
        Query("Oracle 连接 超时", "multi", [kb["ora"]], rel["ora"]),
    ]
    for key in ("ora", "vpn", "redis", "perm", "npe"):
        tid_url = pages[key][1]
        tid = tid_url.split("/")[1]
        q.append(Query(tid, "id", [tid_url], [tid_url]))
    return q
