"""The data-quality page states one as-of date per meaning (issue #18 item 7)."""

from evalkit.intake import quality

REPORT = {
    "as_of": "2026-10-31",
    "totals": {
        "rows_read": 10,
        "rows_accepted": 9,
        "rows_quarantined": 1,
        "errors": 1,
        "warnings": 0,
    },
}


def test_an_earlier_report_year_names_the_dataset_date_as_the_dataset_s():
    # before: the 2024 page's banner said 数据截至 2024-12-31 and its opening paragraph
    # "数据截至 2026-10-31" (the dataset's date), two as-of dates for one page
    before = quality.quality_narrative(REPORT)
    assert before.endswith("数据截至 2026-10-31。")
    text = quality.quality_narrative(REPORT, as_of="2024-12-31")
    assert "数据截至 2026-10-31" not in text
    assert text.endswith(
        "以上校验针对整个报送数据集（数据集截至 2026-10-31）；本年度评估只使用截至 2024-12-31 的数据。"
    )


def test_the_dataset_year_says_one_date():
    assert quality.quality_narrative(REPORT, as_of="2026-10-31") == quality.quality_narrative(
        REPORT
    )


def test_a_findings_value_keeps_its_digits_with_thousands_separators():
    from evalkit.intake.quality import value_as_shown

    assert [value_as_shown(v) for v in ("14157", "1089.30", "-12345.5", "abc", "1,089.3")] == [
        "14,157",
        "1,089.30",
        "-12,345.5",
        "abc",
        "1,089.3",
    ]
    assert value_as_shown(None) == "" and value_as_shown("2026-10-31") == "2026-10-31"
