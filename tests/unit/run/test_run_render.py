"""Unit tests of evalkit.run.render: the search index for a site opened from local files."""

from __future__ import annotations

import json

import pytest

from evalkit.run.render import OFFLINE_SEARCH_INDEX, SiteError, write_offline_search_index

PREFIX = "window.EVALKIT_SEARCH_INDEX = "


def _entries(script: str) -> list:
    assert script.startswith(PREFIX) and script.endswith(";\n"), script[:60]
    return json.loads(script[len(PREFIX) : -2])


def test_the_script_carries_the_same_entries_as_search_json(tmp_path):
    entries = [
        {
            "href": "reports/2026/investment.html",
            "title": "2026 年 招商引资专项评估",
            "text": "到位资金",
        },
        {
            "href": "glossary.html#hhi",
            "title": "术语表",
            "section": "HHI",
            "text": 'a "quoted" </script>',
        },
    ]
    (tmp_path / "search.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    dest = write_offline_search_index(tmp_path)
    assert dest == tmp_path / OFFLINE_SEARCH_INDEX
    assert _entries(dest.read_text(encoding="utf-8")) == entries


def test_line_and_paragraph_separators_are_written_escaped(tmp_path):
    entries = [{"title": "a\u2028b", "text": "c\u2029d"}]
    (tmp_path / "search.json").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    script = write_offline_search_index(tmp_path).read_text(encoding="utf-8")
    assert "\u2028" not in script and "\u2029" not in script
    assert "\\u2028" in script and "\\u2029" in script
    assert _entries(script) == entries


def test_no_search_json_writes_nothing(tmp_path):
    assert write_offline_search_index(tmp_path) is None
    assert not (tmp_path / OFFLINE_SEARCH_INDEX).exists()


def test_an_unreadable_search_json_is_a_site_error(tmp_path):
    (tmp_path / "search.json").write_text("[{", encoding="utf-8")
    with pytest.raises(SiteError, match="search.json"):
        write_offline_search_index(tmp_path)
    assert not (tmp_path / OFFLINE_SEARCH_INDEX).exists()
