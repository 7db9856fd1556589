"""The committed PDF editions as printed: no text drawn over other text, no site-only HTML.

Reads ``reports/<year>/report-<year>.pdf`` with poppler's ``pdftotext -bbox`` (one box per
word). Two words on one line must not overlap: a file name or a number wider than its
table column used to run over the next cell (pandoc gave a wide table equal columns).
Typst squeezes CJK punctuation next to other punctuation ("）。"), so words that meet at
such a mark may touch; any other overlap of more than half a point is a finding.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict

import pytest
from docx import Document

from evalkit import paths

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) missing: installed by .ci/run"
)

PDFS = sorted(paths.ROOT.glob("reports/*/report-*.pdf"))
CJK_PUNCTUATION = set("（）“”‘’《》〈〉〔〕【】「」『』。，、；：！？")
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
SITE_ONLY = ("{=html}", "<input", "oninput")


def overlapping_words(pdf) -> list[tuple[int, str, str]]:
    """Return ``(page, left word, right word)`` for words drawn over each other on a line."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    found = []
    for number, page in enumerate(out.split("<page ")[1:], start=1):
        lines = defaultdict(list)
        for x0, y0, x1, _y1, word in _WORD.findall(page):
            lines[round(float(y0))].append((float(x0), float(x1), word))
        for words in lines.values():
            words.sort()
            for (_, a_end, a), (b_start, _, b) in zip(words, words[1:], strict=False):
                squeezed = a[-1:] in CJK_PUNCTUATION or b[:1] in CJK_PUNCTUATION
                if a_end > b_start + 0.5 and not squeezed:
                    found.append((number, a, b))
    return found


def test_there_are_committed_editions():
    assert [p.parent.name for p in PDFS] == ["2024", "2025", "2026"]


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.parent.name)
def test_no_text_is_drawn_over_other_text(pdf):
    assert overlapping_words(pdf) == []


@pytest.mark.parametrize("pdf", PDFS, ids=lambda p: p.parent.name)
def test_no_site_only_html_is_printed(pdf):
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    docx = "\n".join(p.text for p in Document(str(pdf.with_suffix(".docx"))).paragraphs)
    for marker in SITE_ONLY:
        assert marker not in text and marker not in docx, marker


def test_the_check_finds_a_file_name_over_the_next_column(tmp_path):
    """The check can fail: a line whose first word runs into the second is reported."""
    import typst

    from evalkit.editions import engines

    fonts = engines.fonts()
    (tmp_path / "t.typ").write_text(
        '#set text(font: "' + fonts.serif_family + '", size: 10.5pt)\n'
        "#table(columns: (20mm, 30mm), [suihua_etdz.xlsx], [招商引资])\n",
        encoding="utf-8",
    )
    (tmp_path / "t.pdf").write_bytes(
        typst.compile(str(tmp_path / "t.typ"), font_paths=[str(fonts.serif_file.parent)])
    )
    assert overlapping_words(tmp_path / "t.pdf") == [(1, "suihua_etdz.xlsx", "招商引资")]
