"""Findings: what is wrong with a submission, where, and how to fix it (Chinese with English).

A finding names the file, the sheet, the row number as Excel shows it, the column
header as submitted and the value; its ``message`` says what is wrong and its
``fix`` how to fix it, each in Chinese then English. Severity is ``error`` (the
row is quarantined, or — for *structural* findings — the whole run fails) or
``warning`` (reported, the row is kept).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: code → (what is wrong zh, en, how to fix zh, en). ``{…}`` placeholders are filled per finding.
MESSAGES: dict[str, tuple[str, str, str, str]] = {
    # structural: the submission cannot be read as the template describes
    "unreadable_file": (
        "文件无法读取：{detail}",
        "file cannot be read: {detail}",
        "请用 Excel 另存为 .xlsx（或 UTF-8 / GBK 编码的 CSV）后重新提交",
        "save it again as .xlsx (or CSV in UTF-8 / GBK) and resubmit",
    ),
    "unsupported_file": (
        "不支持的文件类型 {detail}",
        "unsupported file type {detail}",
        "请另存为 .xlsx 或 .csv",
        "save it as .xlsx or .csv",
    ),
    "empty_file": (
        "文件为空",
        "the file is empty",
        "请按模板填写后重新提交",
        "fill in the template and resubmit",
    ),
    "bad_encoding": (
        "CSV 文件编码无法识别（既不是 UTF-8 也不是 GBK）",
        "CSV encoding not recognised (neither UTF-8 nor GBK)",
        "请另存为 UTF-8 或 GBK 编码的 CSV",
        "save the CSV as UTF-8 or GBK",
    ),
    "unknown_sheet": (
        "工作表名称“{detail}”不是任何数据表的名称",
        "sheet name {detail!r} is not the title of any data table",
        "请将工作表改名为模板中的名称：{allowed}",
        "rename the sheet to one of the template titles: {allowed}",
    ),
    "unknown_table": (
        "无法判断 CSV 文件属于哪张数据表",
        "cannot tell which data table this CSV file holds",
        "请将文件命名为数据表名称（如 {allowed}）并使用模板表头",
        "name the file after the table (e.g. {allowed}) and use the template headers",
    ),
    "no_header": (
        "找不到表头行（前 {detail} 行中没有模板表头）",
        "no header row found (no template headers in the first {detail} rows)",
        "请保留模板的表头行：{allowed}",
        "keep the template's header row: {allowed}",
    ),
    "missing_columns": (
        "缺少必填列：{detail}",
        "required columns missing: {detail}",
        "请按模板补上这些列的表头（单位写在括号内）",
        "add these column headers as in the template (unit in brackets)",
    ),
    "duplicate_column": (
        "同一列出现多次：{detail}",
        "column appears more than once: {detail}",
        "请删除重复的列",
        "delete the duplicate column",
    ),
    "bad_dataset_yaml": (
        "dataset.yaml 无法读取：{detail}",
        "dataset.yaml cannot be read: {detail}",
        "请检查 YAML 格式，as_of 写作 YYYY-MM-DD",
        "check the YAML; write as_of as YYYY-MM-DD",
    ),
    "no_data_files": (
        "数据目录中没有 .xlsx 或 .csv 文件",
        "no .xlsx or .csv files in the dataset folder",
        "请放入按模板填写的工作簿",
        "add the filled-in template workbooks",
    ),
    # file-level warnings
    "no_worksheets": (
        "工作簿中没有任何工作表",
        "the workbook holds no worksheets",
        "请用 Excel 打开模板填写后另存为 .xlsx 再提交",
        "fill in the template in Excel, save as .xlsx and resubmit",
    ),
    "encrypted_file": (
        "工作簿设有打开密码，无法读取",
        "the workbook is password-protected and cannot be read",
        "请在 Excel 中“文件→信息→保护工作簿→用密码进行加密”清除密码后重新提交",
        "remove the password (File → Info → Protect Workbook → Encrypt with Password) and resubmit",
    ),
    "xls_renamed": (
        "文件是旧版 .xls 格式（只是扩展名改成了 .xlsx）",
        "the file is an old .xls workbook renamed to .xlsx",
        "请在 Excel 或 WPS 中打开，“另存为”Excel 工作簿（*.xlsx）后重新提交",
        "open it in Excel or WPS and “Save As” Excel Workbook (*.xlsx), then resubmit",
    ),
    "ambiguous_unit": (
        "表头区域写了不同的金额单位（{detail}），无法判断本列单位",
        "the header block states different money units ({detail}); this column's unit is unknown",
        "请在本列表头括号内写明单位，如“签约金额（万元）”，并删除矛盾的“单位：”行",
        "write the unit in this column's header, e.g. 签约金额（万元）, and delete the conflicting unit line",
    ),
    "header_without_unit": (
        "金额表头没有写单位，已按模板单位 {detail} 读入",
        "the amount header has no unit; read in the template unit {detail}",
        "如金额不是以{detail}为单位，请在表头括号内写明单位（元、万元或亿元）",
        "if the amounts are not in {detail}, write the unit in the header: (元), (万元) or (亿元)",
    ),
    "hidden_sheet": (
        "隐藏的工作表未读入",
        "hidden sheet not read",
        "如其中有需报送的数据，请取消隐藏并改名为模板工作表名称；否则删除该工作表",
        "if it holds data to submit, unhide it and give it the template sheet name; otherwise delete it",
    ),
    "sheet_copy": (
        "工作表是“{detail}”的副本，未读入（只读入名称与模板完全一致的工作表）",
        "this sheet is a copy of {detail!r} and was not read (only sheets named exactly as in the template are read)",
        "请把需要报送的行合并到“{detail}”工作表后删除副本",
        "move any rows to submit into the {detail!r} sheet and delete the copy",
    ),
    "file_without_data": (
        "文件中没有任何数据表工作表，未读入任何行",
        "the file holds no data-table sheet; no rows were read",
        "请使用模板工作表名称：{allowed}",
        "use the template sheet names: {allowed}",
    ),
    "unknown_column": (
        "无法识别的列“{detail}”，已忽略",
        "unrecognised column {detail!r}, ignored",
        "如为模板列请改回模板表头；否则可删除",
        "restore the template header if it is one; otherwise delete it",
    ),
    "unlabelled_data": (
        "第 {detail} 列有数据但没有表头，已忽略",
        "column {detail} holds data but has no header; ignored",
        "请补上模板表头或删除这些数据",
        "add the template header or delete the data",
    ),
    "no_dataset_yaml": (
        "缺少 dataset.yaml，截至日期按数据中最晚月份推定为 {detail}",
        "dataset.yaml missing; as-of date taken from the latest month in the data: {detail}",
        "请提供 dataset.yaml（synthetic、as_of、description）",
        "add dataset.yaml (synthetic, as_of, description)",
    ),
    "table_not_submitted": (
        "没有任何文件提供此数据表",
        "no file supplies this table",
        "如有数据请按模板提交",
        "submit it with the template if there is data",
    ),
    # row level: the row is quarantined
    "missing": (
        "必填项为空",
        "required value is missing",
        "请填写此单元格",
        "fill in this cell",
    ),
    "excel_error": (
        "单元格为 Excel 错误值 {value}",
        "the cell holds the Excel error value {value}",
        "请修正公式或引用后重新保存，或直接填写数值",
        "fix the formula or reference, or type the value",
    ),
    "formula_no_value": (
        "公式没有计算结果（文件未经 Excel 保存）",
        "formula has no computed value (the file was never saved by Excel)",
        "请在 Excel 中打开并保存，或直接填写数值",
        "open and save it in Excel, or type the value",
    ),
    "bad_number": (
        "不是有效数字：{value}",
        "not a valid number: {value}",
        "请只填写数字（可用 万元/亿元/元 作单位，千分位用逗号）",
        "type a number only (万元/亿元/元 allowed as unit, commas as thousands separators)",
    ),
    "not_integer": (
        "应为整数：{value}",
        "must be a whole number: {value}",
        "请填写整数",
        "type a whole number",
    ),
    "bad_date": (
        "不是有效日期：{value}",
        "not a valid date: {value}",
        "请写作 2024-09-03 或 2024年9月3日",
        "write it as 2024-09-03 or 2024年9月3日",
    ),
    "bad_text": (
        "应为文字：{value}",
        "must be text: {value}",
        "请填写文字",
        "type text",
    ),
    "bad_bool": (
        "应为“是”或“否”：{value}",
        "must be 是 (yes) or 否 (no): {value}",
        "请填写“是”或“否”",
        "type 是 or 否",
    ),
    "bad_enum": (
        "不是允许的取值：{value}",
        "not an allowed value: {value}",
        "请从下拉列表中选择：{allowed}",
        "pick one from the drop-down: {allowed}",
    ),
    "below_minimum": (
        "数值 {value} 小于下限 {detail}",
        "value {value} is below the minimum {detail}",
        "请核对数值（单位见表头）",
        "check the value (unit in the header)",
    ),
    "above_maximum": (
        "数值 {value} 大于上限 {detail}",
        "value {value} is above the maximum {detail}",
        "请核对数值（百分比填 0–100）",
        "check the value (percentages as 0–100)",
    ),
    "required_when": (
        "{detail}时此项必填",
        "required when {detail_en}",
        "请填写此单元格",
        "fill in this cell",
    ),
    "temporal_order": (
        "{detail}",
        "{detail_en}",
        "请核对两个日期",
        "check both dates",
    ),
    "duplicate_key": (
        "编号重复且内容不同（另见{detail}）",
        "duplicate id with different content (see also {detail_en})",
        "请保留正确的一行并删除或改正其余行",
        "keep the correct row and delete or correct the others",
    ),
    "duplicate_row": (
        "与{detail}完全相同，重复行未计入",
        "exact repeat of {detail_en}; the repeat is not counted",
        "请删除重复行",
        "delete the repeated row",
    ),
    "unknown_reference": (
        "项目编号 {value} 不在项目台账中{detail}",
        "project id {value} is not in the project ledger{detail_en}",
        "请先在招商引资项目台账中登记该项目，或改正编号",
        "register the project in the project ledger first, or correct the id",
    ),
    "reference_mismatch": (
        "与项目台账不一致：{detail}",
        "disagrees with the project ledger: {detail_en}",
        "请与项目台账核对",
        "check against the project ledger",
    ),
    "sheet_invalid": (
        "所在工作表表头有误，本行未读入",
        "the sheet's headers are wrong, so this row was not read",
        "请先改正表头",
        "fix the headers first",
    ),
    "bad_serial": (
        "日期列中的数字 {value} 不是 2000–2099 年之间的 Excel 日期序号",
        "the number {value} in a date column is not an Excel date serial within 2000–2099",
        "请把单元格设为日期格式并写作 2024-09-03 或 2024年9月3日",
        "format the cell as a date and write it as 2024-09-03 or 2024年9月3日",
    ),
    "period_label": (
        "“{value}”是一个期间（累计），不是单个月份",
        "{value!r} is a period (cumulative), not a single month",
        "请按月分别填报，每行一个月份，写作 2026-01",
        "report each month on its own row, written as 2026-01",
    ),
    "scaled_format": (
        "单元格的数字格式改变了显示的数量级，无法确定实际数值：{value}",
        "the cell's number format rescales what is shown, so the value is ambiguous: {value}",
        "请把单元格格式改为“常规”或“数值”，按表头单位填写实际数值",
        "set the cell format to General or Number and type the value in the header's unit",
    ),
    "merged_number": (
        "数值所在的单元格与上方合并，数值只属于合并区域的第一行{value}",
        "this cell is merged with the one above; the number belongs to the first row only {value}",
        "请取消合并，在每一行填写各自的数值",
        "unmerge the cells and type each row's own value",
    ),
    "percent_not_allowed": (
        "此处不应填写百分数：{value}",
        "a percentage is not allowed here: {value}",
        "请按表头（指标）单位填写数值，不要使用百分比格式",
        "type the value in the unit of the header (indicator), without percent format",
    ),
    "not_positive": (
        "{detail}应大于 0：{value}",
        "{detail_en} must be greater than 0: {value}",
        "请核对数值；如该年没有统计数据请删除本行（不要填 0）",
        "check the value; if there is no statistic for that year delete the row (do not type 0)",
    ),
    "reference_table_missing": (
        "{detail} 行的项目编号无法核对：项目台账没有读入（见该工作表的错误）",
        "{detail} rows cannot be checked: the project ledger was not read (see the error about that sheet)",
        "请先改正项目台账工作表的问题，这些行会随之重新核对",
        "fix the project ledger sheet first; these rows are then checked again",
    ),
    # row-level warnings: the row is kept
    "rate_as_fraction": (
        "百分比指标填写了 {value}：是 {value}% 还是 {detail}%？已按 {value}% 读入",
        "percentage indicator holds {value}: is it {value}% or {detail}%? Read as {value}%",
        "百分比指标请填 0–100 的数（如 96.5 表示 96.5%）；请核对后改正",
        "type percentages as 0–100 (96.5 means 96.5%); check and correct",
    ),
    "implausible": (
        "数值 {value} 超出合理范围（{detail}）",
        "value {value} is outside the plausible range ({detail})",
        "请核对数值及其单位（元/万元/亿元）",
        "check the value and its unit (元/万元/亿元)",
    ),
    "unit_error": (
        "数值 {value} 与本序列其他期（{detail}）相差约 {ratio} 倍，疑似单位错误（万元/亿元/元）",
        "value {value} differs from the series' other periods ({detail_en}) by about {ratio}×: likely a unit error (万元/亿元/元)",
        "请核对该单元格是否按表头单位填写（如把亿元数填在万元表头下）",
        "check that this cell is in the header's unit (e.g. an amount in 亿元 under a 万元 header)",
    ),
    "not_allowed_when": (
        "{detail}",
        "{detail_en}",
        "请核对类型与经验来源",
        "check the kind and the source",
    ),
    "cluster_not_lead": (
        "产业集群 {value} 不是该片区的主导产业",
        "cluster {value} is not one of this zone's lead industries",
        "请核对片区与产业集群（可选：{allowed}）",
        "check the zone and the cluster (choices: {allowed})",
    ),
    "after_as_of": (
        "日期 {value} 晚于数据截至日期 {detail}",
        "date {value} is after the dataset's as-of date {detail}",
        "请核对日期或 dataset.yaml 中的 as_of",
        "check the date, or as_of in dataset.yaml",
    ),
    "duplicate_experience": (
        "同一片区重复复制同一经验（只计一次，另见第 {detail} 行）",
        "the zone replicates the same experience again (counted once; see row {detail})",
        "请核对是否为同一经验",
        "check whether it is the same experience",
    ),
    "funds_above_contract": (
        "累计到位资金 {detail} 万元超过签约金额的 {ratio} 倍",
        "cumulative funds in place {detail} 万元 exceed {ratio}× the contracted amount",
        "请核对签约金额与到位资金的单位（万元/亿元）",
        "check the units of the contracted amount and funds in place (万元/亿元)",
    ),
    "spike": (
        "数值 {value} 是相邻期（{detail}）的 {ratio} 倍以上",
        "value {value} is over {ratio}× both neighbouring periods ({detail})",
        "请核对数值和单位（万元/亿元、吨/万吨）",
        "check the value and its unit",
    ),
    "spike_down": (
        "数值 {value} 不到相邻期（{detail}）的 {ratio} 分之一",
        "value {value} is under 1/{ratio} of both neighbouring periods ({detail})",
        "请核对数值和单位（万元/亿元、吨/万吨）",
        "check the value and its unit",
    ),
    "missing_periods": (
        "{zone} 缺少 {detail} 的数据（截至 {as_of}）",
        "{zone}: no data for {detail} (as of {as_of})",
        "请补报缺少的月份（季度）",
        "submit the missing months (quarters)",
    ),
}

#: Codes whose error means the submission's structure is wrong (the run fails, exit 2).
STRUCTURAL = frozenset(
    {
        "unreadable_file",
        "unsupported_file",
        "empty_file",
        "bad_encoding",
        "unknown_sheet",
        "unknown_table",
        "no_header",
        "missing_columns",
        "duplicate_column",
        "bad_dataset_yaml",
        "no_data_files",
        "no_worksheets",
        "encrypted_file",
        "xls_renamed",
        "ambiguous_unit",
    }
)


@dataclass
class Finding:
    """One problem found in a submission (see the module docstring)."""

    severity: str
    code: str
    table: str = ""
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    message: str = ""
    fix: str = ""
    #: the cell as a spreadsheet names it (``G5``), or "" when the finding is not about one cell.
    cell: str = ""

    @property
    def structural(self) -> bool:
        """Return True for errors in the submission's structure (the run fails)."""
        return self.severity == "error" and self.code in STRUCTURAL

    def to_dict(self) -> dict:
        """Return the finding as a plain dict (JSON-ready)."""
        return asdict(self)


def render(code: str, **fields) -> tuple[str, str]:
    """Return (message, fix) for *code*, each "中文 / English", with placeholders filled."""
    zh, en, fix_zh, fix_en = MESSAGES[code]
    fields.setdefault("detail_en", fields.get("detail", ""))
    for name in ("value", "detail", "allowed", "ratio", "zone", "as_of"):
        fields.setdefault(name, "")

    def fill(text: str) -> str:
        return text.format(**fields)

    return f"{fill(zh)} / {fill(en)}", f"{fill(fix_zh)} / {fill(fix_en)}"


def make(severity: str, code: str, **where_and_fields) -> Finding:
    """Build a :class:`Finding`; location keywords go to the finding, the rest into the text."""
    loc = {k: where_and_fields.pop(k) for k in list(where_and_fields) if k in _LOCATION}
    message, fix = render(code, value=loc.get("value", ""), **where_and_fields)
    return Finding(severity=severity, code=code, message=message, fix=fix, **loc)


_LOCATION = ("table", "file", "sheet", "row", "column", "value", "cell")
