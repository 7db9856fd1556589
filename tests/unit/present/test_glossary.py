"""Unit tests of evalkit.present.glossary: the method terms and their first-use check."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalkit.core.errors import ConfigError
from evalkit.present import glossary
from evalkit.present.glossary import Term, parse_terms, unexplained

HERE = Path("glossary.yaml")
DID = Term(
    "did", "双重差分（DiD）", ("双重差分", "DiD"), "估计政策效应的方法：比较两组的变化之差。"
)


def test_the_shipped_glossary_has_one_sentence_per_term():
    terms = glossary.load()
    assert {"ets", "hhi", "wild_bootstrap", "webb", "dirichlet", "minmax", "entropy", "did"} <= set(
        terms
    )
    for t in terms.values():
        assert t.sentence.endswith("。") and t.sentence.count("。") == 1, t
        assert t.marks and all(m.strip() for m in t.marks), t


def test_a_data_folder_without_a_glossary_uses_the_shipped_one(tmp_path):
    (tmp_path / "config").mkdir()
    assert glossary.load(tmp_path) == glossary.load()


def test_a_data_folder_with_its_own_glossary_uses_it(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "glossary.yaml").write_text(
        "terms:\n  - {id: x, term: X 法, marks: [X 法], sentence: 一种方法。}\n", encoding="utf-8"
    )
    assert list(glossary.load(tmp_path)) == ["x"]


@pytest.mark.parametrize(
    "doc, message",
    [
        ({}, "non-empty list"),
        ({"terms": [{"id": "a", "term": "A", "marks": ["A"]}]}, "needs id, term, marks, sentence"),
        (
            {"terms": [{"id": "a", "term": "A", "marks": [""], "sentence": "一句。"}]},
            "non-empty strings",
        ),
        (
            {"terms": [{"id": "a", "term": "A", "marks": ["A"], "sentence": "一句。两句。"}]},
            "one sentence",
        ),
        (
            {"terms": [{"id": "a", "term": "A", "marks": ["A"], "sentence": "没有句号"}]},
            "one sentence",
        ),
        (
            {"terms": [{"id": "a", "term": "A", "marks": ["A"], "sentence": "一句。"}] * 2},
            "repeated",
        ),
    ],
)
def test_an_invalid_glossary_is_a_config_error_naming_the_entry(doc, message):
    with pytest.raises(ConfigError, match=message):
        parse_terms(doc, HERE)


def test_a_term_is_explained_by_its_sentence_in_parentheses():
    assert DID.gloss == "估计政策效应的方法：比较两组的变化之差"
    assert DID.explained() == "双重差分（估计政策效应的方法：比较两组的变化之差）"
    assert DID.explained("双重差分法") == "双重差分法（估计政策效应的方法：比较两组的变化之差）"


def test_the_page_form_is_escaped_markdown():
    t = glossary.load()["ets"]
    page = glossary.explained("ets", "ETS(A,N,A)")
    assert page.startswith("ETS\\(A,N,A\\)（")  # parentheses escaped, as md_escape does
    assert page.replace("\\", "") == t.explained("ETS(A,N,A)").replace("\\", "")
    with pytest.raises(KeyError):
        glossary.explained("no-such-term")


def test_the_glossary_table_has_a_row_per_term():
    terms = glossary.load()
    table = glossary.glossary_table(terms).splitlines()
    assert table[:2] == ["| 术语 | 说明 |", "|---|---|"]
    assert len(table) == 2 + len(terms)


TERMS = {"did": DID}


def test_an_explained_first_use_passes():
    assert (
        unexplained(
            "本页用双重差分（估计政策效应的方法：比较两组的变化之差）。后文再提双重差分。", TERMS
        )
        == []
    )


def test_a_term_not_on_the_page_passes():
    assert unexplained("本页只比较增速。", TERMS) == []


def test_a_first_use_without_its_sentence_is_found():
    got = unexplained("本页用双重差分估计。", TERMS)
    assert [tid for tid, _ in got] == ["did"]


def test_the_explanation_must_follow_the_first_use_not_a_later_one():
    text = (
        "先说 DiD 的结论。"
        + "其他内容。" * 30
        + "双重差分（估计政策效应的方法：比较两组的变化之差）。"
    )
    assert [tid for tid, _ in unexplained(text, TERMS)] == ["did"]
    near = "先说 DiD，即双重差分（估计政策效应的方法：比较两组的变化之差）。"
    assert unexplained(near, TERMS) == []
