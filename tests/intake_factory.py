"""Build small, valid submissions for the intake tests (each test then breaks one thing)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl

from evalkit import schema

AS_OF = "2025-06-30"
MONTHS = [f"2025-{m:02d}" for m in range(1, 7)]


def valid_rows() -> dict[str, list[dict]]:
    """Return a consistent two-zone submission, cells as an office would type them."""
    rows: dict[str, list[dict]] = {t: [] for t in schema.TABLES}
    zones = {"zhaodong": ("肇东片区", "生物医药"), "qinggang": ("青冈", "玉米生物发酵")}
    for z, (zname, cluster) in zones.items():
        p = z[:2].upper()
        rows["reform_items"] += [
            {
                "item_id": f"{p}-R1",
                "zone_id": zname,
                "title": "企业开办一网通办",
                "kind": "复制推广",
                "source": "哈尔滨片区",
                "source_experience": "哈尔滨第3批第5项",
                "domain": "政府职能转变",
                "source_published": dt.date(2024, 3, 15),
                "adopted": dt.date(2025, 2, 1),
                "effective": dt.date(2025, 5, 30),
                "status": "已落地见效",
                "evidence": "政办发〔2025〕12号",
            },
            {
                "item_id": f"{p}-R2",
                "zone_id": zname,
                "title": "寒地农产品通关绿色通道",
                "kind": "自主创新",
                "source": "本片区自主创新",
                "domain": "贸易便利化",
                "adopted": dt.date(2025, 3, 1),
                "status": "推进中",
                "evidence": "https://example.org/doc/1",
                "originality": "全省首创",
            },
        ]
        for k in (1, 2):
            pid = f"{p}-P{k}"
            rows["projects"].append(
                {
                    "project_id": pid,
                    "zone_id": zname,
                    "name": f"项目{k}",
                    "cluster": cluster,
                    "origin": "外省",
                    "origin_detail": "山东省",
                    "contracted_wan_yuan": 20000 * k,
                    "signed": dt.date(2024, 11, 5),
                    "construction_started": dt.date(2025, 1, 10),
                    "in_production": dt.date(2025, 5, 20) if k == 1 else None,
                }
            )
            for i, m in enumerate(MONTHS):
                rows["funds_monthly"].append(
                    {
                        "project_id": pid,
                        "zone_id": zname,
                        "month": m,
                        "funds_wan_yuan": 500 + 10 * i,
                    }
                )
        for i, m in enumerate(MONTHS):
            rows["logistics_monthly"] += [
                {"zone_id": zname, "month": m, "indicator": "铁路货运量", "value": 1000 + i},
                {"zone_id": zname, "month": m, "indicator": "快递进村覆盖率", "value": 90 + i},
            ]
        for q in ("2025Q1", "2025Q2"):
            rows["gov_services_quarterly"].append(
                {"zone_id": zname, "quarter": q, "indicator": "网上可办率", "value": 95}
            )
        rows["industry_annual"].append(
            {
                "zone_id": zname,
                "year": 2024,
                "cluster": cluster,
                "output_wan_yuan": 100000,
                "enterprises_above_size": 10,
                "leading_firms": 2,
                "brands_gi": 1,
            }
        )
    for c in ("北林区", "安达市"):
        rows["county_panel"].append(
            {
                "county_id": c,
                "year": 2024,
                "gdp": 2000000,
                "fixed_asset_investment": 400000,
                "foreign_trade": 20000,
                "domestic_capital_used": 300000,
                "retail_sales": 800000,
            }
        )
    return rows


def write_workbook(path: Path, tables: dict[str, list[dict]], *, headers=None) -> Path:
    """Write *tables* as one workbook, one sheet per table titled ``Table.title``.

    *headers* optionally maps table → list of header texts (to submit wrong ones).
    Data start on row 2, so the n-th data row is Excel row n + 1.
    """
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "测试数据"
    for name, rows in tables.items():
        table = schema.TABLES[name]
        ws = wb.create_sheet(table.title)
        hdr = (headers or {}).get(name) or [c.header for c in table.columns]
        ws.append(hdr)
        for r in rows:
            ws.append([r.get(c.name) for c in table.columns])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_dataset(folder: Path, rows: dict[str, list[dict]] | None = None) -> Path:
    """Write a valid dataset: one workbook with every table plus ``dataset.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    write_workbook(folder / "submission.xlsx", rows or valid_rows())
    (folder / "dataset.yaml").write_text(
        f"synthetic: true\nas_of: {AS_OF}\ndescription: test dataset\n", encoding="utf-8"
    )
    return folder


def tree_digest(folder: Path) -> dict[str, str]:
    """Return relative path → SHA-256 of every file under *folder* (empty if absent)."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
