"""Both editions of a year in the Quarto-native format (issue #14), built once for the module.

Reads the .docx with python-docx and the PDF with poppler's pdftotext / pdffonts / pdfinfo.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import editions_factory as ef
import pytest
from docx import Document
from docx.oxml.ns import qn
from fontTools.ttLib import TTCollection, TTFont

from evalkit import editions
from evalkit.editions import builder, engines
from evalkit.topics.summary import present as sp

pytestmark = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdffonts"),
    reason="poppler-utils (pdftotext, pdffonts) missing: installed by .ci/run",
)

CN = "一二三四五六七八九十"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = ef.make_year(tmp_path_factory.mktemp("editions"))
    entry = editions.build(folder)
    return folder, entry


@pytest.fixture(scope="module")
def docx(built):
    folder, entry = built
    return Document(str(folder / "report-2026.docx"))


@pytest.fixture(scope="module")
def pdf_text(built):
    folder, _ = built
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(folder / "report-2026.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return out.stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


# --- files and manifest entry --------------------------------------------------------


def test_entry_lists_both_files_with_their_sha256(built):
    folder, entry = built
    from evalkit.core.digest import sha256_file

    assert sorted(entry["sha256"]) == ["report-2026.docx", "report-2026.pdf"]
    for name, digest in entry["sha256"].items():
        assert sha256_file(folder / name) == digest
    assert entry["key"] == editions.inputs_key(folder)


def test_two_builds_give_the_same_bytes(built, tmp_path):
    folder, entry = built
    copy = tmp_path / "2026"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("report-*"))
    again = editions.build(copy)
    assert again["sha256"] == entry["sha256"]


def test_update_rebuilds_only_when_inputs_change(built):
    folder, entry = built
    said = []
    same = editions.update(folder, {"editions": entry}, out=said.append)
    assert same == entry and said == ["· 正式文本无变化 / editions up to date"]
    assert not editions.is_stale(folder, {"editions": entry})
    assert editions.is_stale(folder, {})
    summary = folder / "summary.json"
    original = summary.read_bytes()
    try:
        data = json.loads(original)
        data["zones"]["qinggang"]["rank"] = 2
        summary.write_text(json.dumps(data), encoding="utf-8")
        assert editions.is_stale(folder, {"editions": entry})
    finally:
        summary.write_bytes(original)
    # Not allowed to build: an out-of-date pair is removed, never published stale.
    scratch = folder.parent / "scratch-2026"
    shutil.copytree(folder, scratch)
    assert editions.update(scratch, {"editions": {**entry, "key": "old"}}, build_new=False) is None
    assert not list(scratch.glob("report-2026.*"))


def test_update_reuses_the_published_pair_only_when_current(built, tmp_path):
    """A forced run's empty staging folder gets the published pair copied, never a stale one."""
    folder, entry = built
    old = {"editions": entry}

    def stage(name: str) -> Path:
        copy = tmp_path / name / "2026"
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("report-*"))
        return copy

    # Current: copied (build_new=False shows nothing was built), bytes as published.
    said: list[str] = []
    fresh = stage("current")
    assert editions.update(fresh, old, build_new=False, published=folder, out=said.append) == entry
    assert said == [
        "· 正式文本无变化，沿用已发布的文件 / editions up to date: published files reused"
    ]
    for name in entry["sha256"]:
        assert (fresh / name).read_bytes() == (folder / name).read_bytes()
    assert not list(fresh.glob("*.part"))
    # Another key (the pages changed): nothing copied.
    other = stage("other-key")
    stale = {"editions": {**entry, "key": "old"}}
    assert editions.update(other, stale, build_new=False, published=folder) is None
    assert not list(other.glob("report-2026.*"))
    # A published file altered after the manifest was written: nothing copied.
    altered = tmp_path / "altered" / "2026"
    shutil.copytree(folder, altered)
    pdf = altered / "report-2026.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%")
    target = stage("altered-target")
    assert editions.update(target, old, build_new=False, published=altered) is None
    assert not list(target.glob("report-2026.*"))
    # A manifest naming a file other than the configured pair (here outside the year
    # folder, with its true digest, so it passes the digest check): refused, and
    # nothing is written outside the staging folder.
    outside = tmp_path / "outside.docx"
    outside.write_bytes(b"not an edition")
    from evalkit.core.digest import sha256_file

    hostile = stage("hostile")
    odd = {**entry, "sha256": {"../outside.docx": sha256_file(outside)}}
    assert builder.is_current(hostile.parent, odd, entry["key"])  # digest passes
    assert (
        editions.update(hostile, {"editions": odd}, build_new=False, published=hostile.parent)
        is None
    )
    assert not (hostile.parent / "outside.docx").exists()
    assert sorted(p.name for p in hostile.iterdir()) == sorted(
        p.name for p in fresh.iterdir() if not p.name.startswith("report-")
    )


# --- Word -----------------------------------------------------------------------------


def test_docx_page_size_and_margins(docx):
    for sec in docx.sections:
        assert sec.page_width.mm == pytest.approx(210, abs=0.1)
        assert sec.page_height.mm == pytest.approx(297, abs=0.1)
        margins = (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)
        assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
        # No number on the cover (first page), which counts as 0: the next page is "— 1 —".
        assert sec.different_first_page_header_footer
        assert sec._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "0"
        assert sec.footer.paragraphs[0].text == "— 1 —"


@pytest.mark.parametrize(
    ("name", "font", "size", "bold"),
    [
        ("Body Text", "仿宋", 16, False),
        ("Title", "方正小标宋简体", 22, False),
        ("Heading 1", "黑体", 16, False),
        ("Heading 2", "楷体", 16, False),
        ("Heading 3", "仿宋", 16, True),
        ("Footer", "宋体", 14, False),
    ],
)
def test_docx_style_fonts_and_sizes(docx, name, font, size, bold):
    st = docx.styles[name]
    assert st.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == font
    assert st.font.size.pt == size
    assert bool(st.font.bold) is bold


def test_docx_body_text_in_styles_not_direct_formatting(docx):
    runs = [r for p in docx.paragraphs for r in p.runs]
    assert runs
    assert all(r.font.size is None and r.font.name is None for r in runs)


def test_docx_cover_and_heading_numbering(docx):
    paras = [(p.style.name, p.text) for p in docx.paragraphs if p.text]
    assert paras[0] == (
        "Title",
        "《中国（黑龙江）自由贸易试验区绥化协同发展先导区2026年度评估报告》",
    )
    assert ("Author", "绥化协同发展先导区评估工作组") in paras  # {short_name}评估工作组
    assert ("Date", "数据截至2026年10月31日") in paras
    assert any(s == "Abstract" and "合成" in t for s, t in paras)
    h1 = [t for s, t in paras if s == "Heading 1"]
    assert h1[:3] == [
        "一、执行摘要",
        "二、年度综合评估",
        "三、改革试点经验复制推广与自主创新专项评估",
    ]
    assert h1[3:] == ["附件 1　方法说明", "附件 2　数据质量：报送数据校验与隔离清单", "编制说明"]
    h2 = [t for s, t in paras if s == "Heading 2"]
    assert h2[:3] == ["（一）硬性目标完成情况", "（二）综合得分与排名", "（三）主要发现"]
    assert "（一）综合得分与排名" in h2 and "（二）各指标数值与得分" in h2
    assert [t for s, t in paras if s == "Heading 3"] == ["1.制度创新"]
    for text in h2:
        assert re.match(rf"^（[{CN}]+）\S", text), text


def test_docx_every_table_and_figure_of_summary_and_comprehensive_pages(docx):
    tables = [p.text for p in docx.paragraphs if p.style.name == "Table Caption"]
    figures = [p.text for p in docx.paragraphs if p.style.name == "Image Caption"]
    assert tables == [f"表 {i}　{c}" for i, c in enumerate(_expected_tables(), start=1)]
    assert figures == [f"图 {i}　{c}" for i, c in enumerate(ef.FIGURES["comprehensive"], 1)]
    assert len(docx.inline_shapes) == len(figures)
    assert len(docx.tables) == len(tables)  # the methodology's table of renderers is site-only
    header = docx.tables[0].rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None


def _expected_tables() -> list[str]:
    """Captions in document order: the executive summary's two, then the pages' (index excluded)."""
    return [
        "2026 年各片区三项硬性目标完成情况",
        "2026 年综合得分（0—100 分）与排名",
        *ef.CAPTIONS["comprehensive"],
        *ef.CAPTIONS["reforms"],
        *ef.CAPTIONS["data_quality"],
    ]


def _expected_verdict(met) -> str:
    # 2026 at 2026-10-31 is in progress: a target not met yet is "not yet met".
    if met is None:
        return sp.LIGHT_UNDEFINED
    return sp.LIGHT_MET if met else sp.LIGHT_NOT_YET


def test_docx_executive_summary_verdicts_equal_summary_json(docx):
    table = docx.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == [
        "片区",
        "复制推广改革试点经验",
        "判定",
        "自主创新经验",
        "判定",
        "到位资金同比增长",
        "判定",
    ]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert list(rows) == list(ef.ZONES.values())
    for zone_id, name in ef.ZONES.items():
        met = ef.SUMMARY["zones"][zone_id]["targets_met"]
        row = rows[name]
        assert row[2] == _expected_verdict(met["reforms_replicated"])
        assert row[4] == _expected_verdict(met["reforms_original"])
        assert row[6] == _expected_verdict(met["funds_growth"])
        zone = ef.SUMMARY["zones"][zone_id]
        assert row[1] == f"{zone['reforms_replicated']} / 20 条"
    ranks = {r.cells[0].text: (r.cells[1].text, r.cells[2].text) for r in docx.tables[1].rows[1:]}
    assert ranks == {
        ef.ZONES[z]: (f"{v['composite_score']:.2f}", str(v["rank"]))
        for z, v in ef.SUMMARY["zones"].items()
    }


def test_docx_findings_of_the_summary_page_without_links(docx):
    text = _docx_text(docx)
    assert "综合评估第 1 名为绥化经开区片区（85.9 分）。 详见：年度综合评估" in text
    assert "本年度各评估页面" not in text  # the summary page itself is replaced


def test_nothing_that_must_stay_out_reaches_either_edition(docx, pdf_text):
    for text in (_docx_text(docx), pdf_text):
        for marker in (ef.CODE_MARKER, ef.PLAIN_MARKER, ef.HTML_MARKER, ef.HIDDEN_MARKER):
            assert marker not in text
        for download in ("composite_scores.csv", "summary_targets.xlsx", "Excel（"):
            assert download not in text


def test_the_methodology_annex_prints_the_methods_not_the_pipeline_notes(docx, pdf_text):
    """Sections in a ``content-visible when-format="html"`` div stay on the site."""
    for text in (_squash(_docx_text(docx)), _squash(pdf_text)):
        for method in ("目标判定", "可能有误的数值", "异常筛查的误报率"):
            assert method in text
        for site_only in ("增量执行", "可复现性检查", "隐藏参数单元格", "nbval", "tags.ts"):
            assert site_only not in text, site_only
        # Numbered without the dropped sections: 数据流程, 目标判定, then these two.
        assert "（三）可能有误的数值" in text and "（四）异常筛查的误报率" in text


def test_hostile_text_literal_in_both_editions(docx, pdf_text):
    table = next(t for t in docx.tables if t.rows[0].cells[-1].text == "事项名称")
    assert [r.cells[1].text for r in table.rows[1:]] == ef.HOSTILE
    squashed = _squash(pdf_text)
    for hostile in ef.HOSTILE:
        assert _squash(hostile) in squashed, hostile


# --- PDF ------------------------------------------------------------------------------


def _pdf_page(pdf, number: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def test_pdf_contents_list_each_chapter_at_its_page(built):
    folder, _ = built
    pdf = folder / "report-2026.pdf"
    contents = _pdf_page(pdf, 2)
    assert "目录" in _squash(contents)
    entries = re.findall(r"^\s*(\S.*?)\s*\.{3,}\s*(\d+)\s*$", contents, re.MULTILINE)
    assert len(entries) >= 5 and entries[0] == ("一、执行摘要", "1"), entries
    for title, number in entries:  # the body's page n is the PDF's page n + 2
        assert _squash(title) in _squash(_pdf_page(pdf, int(number) + 2)), (title, number)


def test_pdf_is_a4_and_every_font_embedded(built):
    folder, _ = built
    pdf = folder / "report-2026.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "(A4)" in info.stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows
    names = [r.split()[0] for r in rows]
    assert any("NotoSerifSC" in n for n in names) and any("NotoSansCJK" in n for n in names)
    for row in rows:
        # columns: name type encoding emb sub uni object ID (type may have spaces)
        emb = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row)
        assert emb and emb.group(1) == "yes", row


def test_pdf_headline_numbers_cover_and_structure(pdf_text):
    squashed = _squash(pdf_text)
    for zone_id, zone in ef.SUMMARY["zones"].items():
        assert (
            _squash(f"{ef.ZONES[zone_id]}{zone['composite_score']:.2f}{zone['rank']}") in squashed
        )
        assert _squash(f"{zone['reforms_replicated']} / 20 条") in squashed
    assert "+34.0%" in squashed and "-12.9%" in squashed  # ASCII minus kept (no Typst shorthand)
    assert _squash("2026年度评估报告》") in squashed
    assert "合成" in pdf_text.split("\f")[0]  # synthetic-data notice on the cover
    assert "— 2 —" in pdf_text or "—2—" in squashed  # page numbers after the cover
    for caption in _expected_tables():
        assert _squash(caption) in squashed
    assert _squash(f"图 1　{ef.FIGURES['comprehensive'][0]}") in squashed


def _cmaps() -> list[set[int]]:
    f = engines.fonts()
    serif = set(TTFont(str(f.serif_file)).getBestCmap())
    sans = set()
    for face in TTCollection(str(f.sans_file)).fonts:
        if face["name"].getDebugName(1) == f.sans_family:
            sans = set(face.getBestCmap())
    assert sans, f.sans_family
    return [serif, sans]


def test_pdf_no_missing_glyph(pdf_text):
    """Every character the PDF shows is in one of the two embedded CJK fonts."""
    cmaps = _cmaps()
    shown = {ch for ch in pdf_text if not ch.isspace() and ch != "\f"}
    missing = sorted(ch for ch in shown if not any(ord(ch) in c for c in cmaps))
    assert not missing, missing
    # and the text the document was made of is all there (nothing fell out as .notdef)
    for ch in "".join(ef.HOSTILE) + "✓◇○—（）":  # the verdict symbols of a year in progress
        if not ch.isspace():
            assert ch in pdf_text, ch


def test_pdf_body_has_22_lines_of_28_characters(tmp_path):
    """GB/T 9704-2012 §5.2.2: 3号 body text, 28 characters a line, 22 lines a page."""
    sentence = "这是一段用于检验版心行数与每行字数的正文文字。"  # 23 characters, no breaks
    (tmp_path / "x.md").write_text("# 版心\n\n" + sentence * 200 + "\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text('{"title": "T"}', encoding="utf-8")
    engines.write_pdf(tmp_path, "x.md", tmp_path / "m.yaml", tmp_path / "x.pdf", "2026-10-31")
    page = subprocess.run(
        # Page 1 the cover, 2 the contents, 3 and 4 the body's pages 1 and 2.
        ["pdftotext", "-f", "4", "-l", "4", "-layout", str(tmp_path / "x.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
    body, footer = lines[:-1], lines[-1]
    assert _squash(footer) == "—2—"
    assert len(body) == 22
    assert {len(ln) for ln in body} <= {27, 28} and sum(len(ln) == 28 for ln in body) >= 18
