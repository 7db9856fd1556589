"""``python -m evalkit editions``: errors on standard error with their exit status."""

from __future__ import annotations

import pytest

from evalkit import cli


@pytest.mark.parametrize(
    "year, status, words",
    [("abc", 2, "invalid year 'abc'"), ("2026", 1, "no published reports")],
)
def test_errors_go_to_stderr_with_their_status(tmp_path, monkeypatch, capsys, year, status, words):
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path / "reports"))
    assert cli.main(["editions", "--year", year]) == status
    out, err = capsys.readouterr()
    assert words in err
    assert out == ""
