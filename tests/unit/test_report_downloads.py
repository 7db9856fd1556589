"""Downloads carry every digit (issue #18 item 8: ``%.6g`` turned 300,980.11 into 300980)."""

import io

import pandas as pd

from evalkit import report


def test_csv_keeps_full_precision_and_no_exponent_form():
    values = [300980.11, 1820460.0, 0.1 + 0.2, 1234567.891234]
    text = report.table_csv_bytes(pd.DataFrame({"x": values})).decode("utf-8-sig")
    assert "300980.11" in text and "1820460.0" in text
    assert "e+" not in text.lower()
    back = pd.read_csv(io.StringIO(text))["x"].tolist()
    assert back == values  # exactly, not approximately
