"""Page tables, narrative and search widget of the reform page on hand-built ledgers."""

from __future__ import annotations

import pandas as pd
from reforms_ledgers import PACE, SMALL, A, hand_att

from evalkit.config import Targets
from evalkit.schema import ZONES
from evalkit.topics.reforms import compute, present


def test_summary_part_matches_attainment():
    att = compute.attainment(A, 2025, "2025-12-31", SMALL)
    part = present.summary_part(att)
    assert list(part["zones"]) == list(ZONES)
    assert part["zones"]["zhaodong"] == {"reforms_replicated": 4, "reforms_original": 1}
    # the verdicts (targets_met) come from the index page (evalkit.present.verdict)
    assert all("targets_met" not in z for z in part["zones"].values())


def test_attainment_table_words():
    att = compute.attainment(A, 2025, "2025-12-31", SMALL)
    t = present.attainment_table(att)
    assert list(t["复制推广是否达标"]) == ["达标", "达标", "未达标"]
    base = present.attainment_table(compute.attainment(A, 2024, "2024-12-31", SMALL))
    assert set(base["复制推广是否达标"]) == {"基线年，不考核"}
    assert "复制推广差额（条）" not in base.columns
    assert "片区代码" not in t.columns  # zones by name only: no internal ids on the page


def test_item_table_has_no_missing_markers():
    c = compute.classify_items(A, "2025-12-31")
    t = present.item_table(compute.items_in(c, 2025, "counted"))
    text = t.to_string()
    assert "nan" not in text.lower() and "NaT" not in text and "<NA>" not in text
    assert t.loc[t["事项编号"] == "E3", "落地见效日期"].item() == "2025-02-10"
    assert t.loc[t["事项编号"] == "E6", "来源经验名称或编号"].item() == "—"


def test_narrative_full_year():
    att = hand_att(
        2025,
        False,
        [
            ("suihua_etdz", 22, 4, True, True, 0),
            ("zhaodong", 18, 3, False, True, 2),
            ("qinggang", 20, 1, True, False, 1),
        ],
    )
    text = present.narrative(att, "2025-12-31", duplicates={"suihua_etdz": 1, "zhaodong": 0})
    assert text[0] == "2025 年，3 个片区中有 1 个同时完成复制推广和自主创新两项年度目标。"
    assert (
        "肇东片区：复制推广 18 条（目标 20 条，未达标，差 2 条），自主创新 3 条（目标 3 条，达标）。"
        in text
    )
    assert any("另有 3 条事项" in s and "肇东片区 2 条、青冈片区 1 条" in s for s in text)
    assert any(s.startswith("本年度有 1 条复制推广事项重复") for s in text)


def test_narrative_partial_year_is_baseline_without_verdicts():
    att = hand_att(2024, True, [(z, 5, 1, None, None, 0) for z in ZONES])
    text = present.narrative(att, "2024-12-31")
    assert len(text) == 1
    assert "基线" in text[0] and "绥化经开区片区复制推广 5 条、自主创新 1 条" in text[0]
    assert "未达标" not in text[0] and "达标" not in text[0].replace("目标", "")
    cum = compute.cumulative(PACE, 2024, "2024-12-31", Targets())
    with_cum = present.narrative(att, "2024-12-31", cum=cum, plan_years=(2024, 2026))
    # qinggang 2024 in PACE: Q24a, Q24b = 2 of 3 × 20 = 60
    assert with_cum[1].startswith("2024 年累计（三年目标期 2024—2026 年）：")
    assert "青冈片区复制推广 2 条（三年目标 60 条，差 58 条）" in with_cum[1]


def test_narrative_year_in_progress_uses_pace_and_plan_period():
    att = hand_att(
        2026,
        False,
        [
            ("suihua_etdz", 16, 3, False, True, 4),
            ("zhaodong", 21, 1, True, False, 0),
            ("qinggang", 0, 0, False, False, 0),
        ],
    )
    p = compute.pace(PACE, 2026, "2026-10-31", Targets())
    cum = compute.cumulative(PACE, 2026, "2026-10-31", Targets())
    text = present.narrative(att, "2026-10-31", pace_df=p, cum=cum, plan_years=(2024, 2026))
    assert text[0].startswith("截至 2026年10月31日，2026 年，3 个片区中有 0 个已同时达到")
    assert (
        "绥化经开区片区：复制推广 16 条（目标 20 条，尚差 4 条），自主创新 3 条（目标 3 条，已达标）。"
        in text
    )
    # qinggang in PACE: 2026 by 10-31 = Q26a, Q26b, Q26c = 3; needs 17 in 61/(365/12) ≈ 2.0 months
    # → 17 / 2.0055 ≈ 8.5 a month; 2025 by 10-31: Q25a–d = 4
    assert (
        "青冈片区本年已落地复制推广 3 条，完成全年目标还需 17 条，余下约 2 个月平均每月需 8.5 条；"
        "2025 年同期为 4 条。"
    ) in text
    # three-year view closes the plan: qinggang 2 + 5 + 3 = 10 of 60
    closing = [s for s in text if s.startswith("行动计划期（2024—2026 年）累计")]
    assert len(closing) == 1 and "青冈片区复制推广 10 条（三年目标 60 条，差 50 条）" in closing[0]


def test_item_table_shows_status_as_of_the_report_date():
    c = compute.classify_items(A, "2025-12-31")
    t = present.item_table(compute.items_in(c, None, "pipeline"), "2025-12-31").set_index(
        "事项编号"
    )
    # E8 is in effect in the ledger (2026-01-15) but was still in progress on 2025-12-31
    assert t.loc["E8", "状态"] == "截至日推进中（其后落地见效）"
    assert t.loc["E8", "落地见效日期"] == "2026-01-15"
    assert t.loc["E7", "状态"] == "推进中"


def test_searchable_table_escapes_submitted_text():
    df = pd.DataFrame(
        {"事项名称": ['<script>alert("x")</script>'], "佐证材料": ["=cmd|' /C calc'!A0"]}
    )
    md = present.SearchableTable(df, caption="清单", label="tbl-list")._repr_markdown_()
    assert "<script>alert" not in md and "&lt;script&gt;" in md
    # The box is evalkit's own HTML, in a raw block; the table is a numbered pipe table.
    assert (
        md.startswith(":::: {.evalkit-searchable}\n```{=html}\n") and 'class="evalkit-search"' in md
    )
    assert "\n: 清单 {#tbl-list}\n" in md and md.rstrip().endswith("\n::::")
    assert repr(present.SearchableTable(df, caption="清单")).startswith("清单\n")
