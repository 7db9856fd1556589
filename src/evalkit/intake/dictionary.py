"""The data-dictionary page, generated from the schema (the pipeline writes it into the site).

The page is for submitters and readers: tables, columns, zones, clusters,
indicators and rules are named by the contract's Chinese titles, headers and
labels only. Internal names (``reform_items``, ``zone_id``, ``suihua_etdz``) live
in ``evalkit.schema`` and ``data/config/zones.yaml``, never on a page.
"""

from __future__ import annotations

from .. import schema
from .bounds import PLAUSIBLE_RANGE, POSITIVE_COLUMNS

_TYPE = {
    "str": "文字 text",
    "float": "数字 number",
    "int": "整数 integer",
    "date": "日期 date",
    "month": "月份 month",
    "bool": "是/否 yes/no",
}


def _cell(text: object) -> str:
    """Escape a Markdown table cell (pipes and line breaks)."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _enum_text(enum: dict[str, str], limit: int = 12) -> str:
    """Return the labels of an enumeration, shortened after *limit* entries."""
    items = list(enum.values())
    if len(items) > limit:
        return "、".join(items[:limit]) + f" 等 {len(items)} 项，见下文"
    return "、".join(items)


def _rules(table: schema.Table) -> list[str]:
    """Return the validation rules that involve *table*, one Markdown bullet each."""
    label = {c.name: c.label for c in table.columns}
    out = [f"- 唯一键 unique key：{' + '.join(label[k] for k in table.key)}"]
    for r in schema.REQUIRED_WHEN:
        if r.table == table.name:
            enum = table.column(r.when_column).enum or {}
            when = "、".join(enum.get(v, v) for v in r.when_values)
            out.append(f"- {label[r.when_column]}为“{when}”时，{label[r.column]}必填 / required")
    for r in schema.ALLOWED_WHEN:
        if r.table == table.name:
            enum_w = table.column(r.when_column).enum or {}
            enum_c = table.column(r.column).enum or {}
            out.append(
                f"- {label[r.when_column]}为“{'、'.join(enum_w.get(v, v) for v in r.when_values)}”时，"
                f"{label[r.column]}应为“{'、'.join(enum_c.get(v, v) for v in r.allowed)}”"
                f"（{'警告 warning' if r.severity == 'warning' else '错误 error'}）"
            )
    for r in schema.TEMPORAL_ORDER:
        if r.table == table.name:
            out.append(f"- {label[r.earlier]} 不晚于 {label[r.later]}")
    for r in schema.REFERENCES:
        if r.table == table.name:
            same = "，且" + "、".join(label[c] for c in r.same) + "一致" if r.same else ""
            out.append(
                f"- {label[r.column]}须为{schema.TABLES[r.ref_table].title}中已登记的编号{same}"
            )
    if table.name in schema.ZONE_CLUSTER_TABLES:
        out.append(
            "- 产业集群应为该片区的主导产业（警告）/ cluster should be a lead industry of the zone (warning)"
        )
    if table.name == "funds_monthly":
        out.append(
            f"- 项目累计到位资金超过签约金额 {schema.FUNDS_OVER_CONTRACT_RATIO:g} 倍时警告 / "
            f"warning when cumulative funds exceed {schema.FUNDS_OVER_CONTRACT_RATIO:g}× the contracted amount"
        )
    if table.name in schema.SPIKE_SERIES:
        out.append(
            f"- 某期数值超过前后两期 {schema.SPIKE_RATIO:g} 倍时警告 / warning when a period is over "
            f"{schema.SPIKE_RATIO:g}× both neighbours"
        )
    if table.name in schema.COMPLETENESS:
        period, step = schema.COMPLETENESS[table.name]
        unit = "月" if step == 1 else "季度"
        out.append(
            f"- 完整性：每个片区自首期起至数据截至日期每{unit}都应有数据（缺报时警告）/ "
            f"completeness: every zone reports every {'month' if step == 1 else 'quarter'} up to the as-of date"
        )
    for name in POSITIVE_COLUMNS.get(table.name, ()):
        out.append(
            f"- {label[name]} 应大于 0（影响评估取对数；0 视为错误，无统计请删除该行）/ must be > 0"
        )
    for (tname, name), (low, high) in PLAUSIBLE_RANGE.items():
        if tname == table.name:
            out.append(
                f"- {label[name]} 超出 {low:g}–{high:g} {table.column(name).unit or ''} 时警告 / "
                f"warning outside {low:g}–{high:g}"
            )
    if table.name in schema.SPIKE_SERIES:
        out.append(
            "- 某期数值与本序列中位数相差约 10⁴ 或 10⁸ 倍时警告（疑似元/万元/亿元单位错误）/ "
            "warning when a value is about 10⁴ or 10⁸ times its series' median (likely unit error)"
        )
    if "indicator" in table.column_names:
        enum = table.column("indicator").enum or {}
        pct = [enum[k] for k in schema.INDICATOR_MAXIMUM if k in enum]
        if pct:
            out.append(
                f"- 百分比指标（{'、'.join(pct)}）取值 0–100；"
                "百分比格式的单元格（80.6%）按显示值读入，其他指标不接受百分数；"
                "填 0–1 之间的数时警告（是 0.965 还是 96.5%？）"
            )
    return out


def data_dictionary_markdown() -> str:
    """Return the data-dictionary page (Markdown, Chinese first) generated from the schema.

    Longer than 80 lines on purpose: most of it is the page's fixed bilingual text, kept in one
    place so the page reads in order.
    """
    lines = [
        "---",
        'title: "数据字典 / Data dictionary"',
        "---",
        "",
        "本页由 `evalkit.schema` 自动生成，是报送模板、数据校验和各评估页面共同遵循的数据约定。"
        "金额统一以万元存储；月份以当月 1 日表示。",
        "",
        "*Generated from `evalkit.schema`, the single contract for templates, validation and reports. "
        "Money is stored in 万元; a month is its first day.*",
        "",
        "## 片区 / Zones",
        "",
        "| 名称 | 可识别的别名 aliases |",
        "|---|---|",
    ]
    for zid, name in schema.ZONES.items():
        aliases = sorted(
            a
            for a, z in schema.ZONE_ALIASES.items()
            if z == zid and a not in (zid, name) and not a.isascii()
        )
        lines.append(f"| {_cell(name)} | {_cell('、'.join(aliases))} |")
    lines += ["", "## 数据表 / Tables", ""]
    for table in schema.TABLES.values():
        lines += [
            f"### {table.title}",
            "",
        ]
        if table.description:
            lines += [_cell(table.description), ""]
        lines += [
            "| 表头 header | 类型 type | 单位 unit | 必填 required | 取值/范围 allowed | 说明 notes |",
            "|---|---|---|---|---|---|",
        ]
        for col in table.columns:
            allowed = _enum_text(col.enum) if col.enum else ""
            if col.minimum is not None or col.maximum is not None:
                if col.maximum is None:
                    allowed = f"≥ {col.minimum:g}"
                elif col.minimum is None:
                    allowed = f"≤ {col.maximum:g}"
                else:
                    allowed = f"{col.minimum:g} – {col.maximum:g}"
            lines.append(
                "| "
                + " | ".join(
                    [
                        _cell(col.header),
                        _TYPE.get(col.dtype, col.dtype),
                        _cell(col.unit or ""),
                        "是" if col.required else "否",
                        _cell(allowed),
                        _cell(col.description),
                    ]
                )
                + " |"
            )
        lines += ["", "校验规则 / Validation rules:", "", *_rules(table), ""]
    lines += [
        "## 产业集群 / Industry clusters",
        "",
        "| 片区 zone | 产业集群 |",
        "|---|---|",
    ]
    for zid, clusters in schema.CLUSTERS.items():
        lines.append(f"| {_cell(schema.zone_name(zid))} | {_cell('、'.join(clusters.values()))} |")
    lines += [
        "",
        "## 指标 / Indicators",
        "",
        "| 数据表 table | 指标 | 单位 unit |",
        "|---|---|---|",
    ]
    for tname, indicators in (
        ("logistics_monthly", schema.LOGISTICS_INDICATORS),
        ("gov_services_quarterly", schema.GOV_SERVICE_INDICATORS),
        ("county_panel", schema.COUNTY_INDICATORS),
    ):
        for name, unit in indicators.values():
            title = schema.TABLES[tname].title
            lines.append(f"| {_cell(title)} | {_cell(name)} | {_cell(unit)} |")
    lines += [
        "",
        "## 报送与处理 / Submission and handling",
        "",
        "- 工作簿中每张数据表一个工作表，名称为上表标题；“说明”“示例”工作表不读入。CSV 可为 UTF-8 或 GBK 编码。",
        "- 金额表头可写（元）（万元）（亿元），统一换算为万元；单位也可写在表头下一行或表格上方的“单位：元”行；"
        "表头和表格上方都没有单位时按万元读入并警告。日期可写 2024-09-03、2024.9.3、2024年9月3日、2024/9/3 0:00；"
        "日期列中的数字只接受 2000–2099 年的 Excel 日期序号。",
        "- 只读入名称与模板完全一致、未隐藏的工作表；副本、隐藏和其他工作表各有一条提示。",
        "- 结构性错误（文件无法读取、工作表名称或表头不符）使本次入库失败，已有数据保持不变。",
        "- 行级错误的行连同原因进入隔离清单，其余行入库；读入行数 = 入库行数 + 隔离行数。",
        "",
        "*Structural errors fail the run and leave the curated data unchanged; rows with errors are "
        "quarantined with their reasons and the rest is curated: rows read = accepted + quarantined.*",
        "",
    ]
    return "\n".join(lines)
