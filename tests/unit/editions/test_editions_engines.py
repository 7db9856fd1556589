"""The Lua filter through pandoc (fast: no Typst compile), the reference document, the ZIP fix."""

import io
import subprocess
import sys
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn

from evalkit.editions import engines, style


def _filtered(markdown: str, to: str, tmp_path) -> str:
    (tmp_path / "in.md").write_text(markdown, encoding="utf-8")
    out = engines.run_pandoc(
        ["--from", engines.READER, "--to", to, "--lua-filter", str(engines.LUA_FILTER), "in.md"],
        cwd=tmp_path,
        as_of="2026-10-31",
    )
    return out.decode("utf-8")


def _plain(markdown, tmp_path) -> str:
    return _filtered(markdown, "plain", tmp_path)


def test_headings_numbered_through_the_document_page_numbers_replaced(tmp_path):
    md = (
        "# 执行摘要\n\n## 一、甲\n\n## 乙\n\n### 1. 丙\n\n### 丁\n\n"
        "# 年度综合评估\n\n## 一、戊\n\n#### 己\n\n"
        "# 附件 1　方法 {.unnumbered}\n\n## 庚\n"
    )
    text = _plain(md, tmp_path)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert lines == [
        "一、执行摘要",
        "（一）甲",
        "（二）乙",
        "1.丙",
        "2.丁",
        "二、年度综合评估",
        "（一）戊",
        "（1）己",
        "附件 1　方法",
        "（一）庚",
    ]


def test_tables_and_figures_numbered_in_order(tmp_path):
    md = (
        "| a |\n|---|\n| 1 |\n\n: 第一表 {#tbl-a}\n\n"
        '![第一图](f.png){#fig-a fig-alt="alt"}\n\n'
        "| b |\n|---|\n| 2 |\n\n: 第二表 {#tbl-b}\n\n"
        "| c |\n|---|\n| 3 |\n"
    )
    text = _filtered(md, "markdown", tmp_path)
    assert "表 1　第一表" in text and "表 2　第二表" in text and "图 1　第一图" in text
    assert "表 3" not in text  # an uncaptioned table is not numbered


def test_download_links_dropped_other_links_become_text(tmp_path):
    md = (
        "前文\n\n[下载数据 a.csv](tables/a.csv) · [Excel（a.xlsx）](tables/a.xlsx)\n\n"
        "见[年度综合评估](comprehensive.html)，*强调[链接](x.html)*。\n"
    )
    text = _plain(md, tmp_path)
    assert "下载" not in text and "a.xlsx" not in text
    assert "见年度综合评估，" in text and "链接" in text
    native = _filtered(md, "native", tmp_path)
    assert "Link" not in native


def test_callout_gets_its_title_and_docx_style(tmp_path):
    md = '::: {.callout-warning title="数据缺口"}\n青冈片区缺少数据。\n:::\n'
    assert "数据缺口" in _plain(md, tmp_path)
    (tmp_path / "in.md").write_text(md, encoding="utf-8")
    engines.run_pandoc(
        [
            "--from",
            engines.READER,
            "--lua-filter",
            str(engines.LUA_FILTER),
            "-o",
            "out.docx",
            "in.md",
        ],
        cwd=tmp_path,
        as_of="2026-10-31",
    )
    paras = Document(str(tmp_path / "out.docx")).paragraphs
    assert [(p.style.name, p.text) for p in paras if p.text] == [
        ("Callout", "数据缺口"),
        ("Callout", "青冈片区缺少数据。"),
    ]


@pytest.mark.parametrize("text", ["-3 与 --x 和 -?y", "a...b", "+1+2 | -3"])
def test_typst_output_escapes_typst_shorthands(text, tmp_path):
    typ = _filtered(text.replace("|", "\\|") + "\n", "typst", tmp_path)
    assert "\\-" in typ or "\\." in typ
    assert "-3" not in typ.replace("\\-3", "")


def test_raw_html_stays_text(tmp_path):
    text = _plain("<script>alert(1)</script> {{< include /etc/passwd >}}\n", tmp_path)
    assert "<script>alert(1)</script>" in text and "{{< include /etc/passwd >}}" in text


def test_reference_docx_page_and_styles():
    doc = Document(io.BytesIO(style.reference_docx(engines.default_reference_docx())))
    sec = doc.sections[0]
    for got, want in [
        (sec.page_width.mm, 210),
        (sec.page_height.mm, 297),
        (sec.top_margin.mm, 37),
        (sec.bottom_margin.mm, 35),
        (sec.left_margin.mm, 28),
        (sec.right_margin.mm, 26),
    ]:
        assert got == pytest.approx(want, abs=0.1)
    for name, (font, size, bold, _, _) in style.STYLES.items():
        st = doc.styles[name]
        rfonts = st.element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == font, name
        assert rfonts.get(qn("w:asciiTheme")) is None, name
        assert st.font.size.pt == size, name
        assert bool(st.font.bold) == bold, name
    assert doc.styles["Body Text"].paragraph_format.line_spacing.pt == pytest.approx(28.95)
    footer = sec.footer.paragraphs[0]
    assert footer.text == "— 1 —" and footer.style.name == "Footer"
    assert "PAGE" in footer._p.xml


def test_normalize_zip_fixes_timestamps_and_keeps_contents():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", (2026, 11, 29, 23, 1, 2)), "a")
        z.writestr(zipfile.ZipInfo("word/document.xml", (2025, 1, 1, 0, 0, 0)), "b")
    fixed = engines.normalize_zip(buf.getvalue())
    again = engines.normalize_zip(fixed)
    assert fixed == again
    z = zipfile.ZipFile(io.BytesIO(fixed))
    assert [i.filename for i in z.infolist()] == ["[Content_Types].xml", "word/document.xml"]
    assert {i.date_time for i in z.infolist()} == {engines.ZIP_EPOCH}
    assert z.read("word/document.xml") == b"b"


def test_epoch_of_as_of_date():
    assert engines.epoch_of("2026-10-31") == "1793404800"


def test_site_only_blocks_dropped(tmp_path):
    md = "::: {.evalkit-page-header}\n评估年度 2026\n:::\n\n::: {.evalkit-provenance}\nSHA\n:::\n\n正文\n"
    assert _plain(md, tmp_path).strip() == "正文"


def test_building_the_editions_needs_no_plotting_library():
    # The run's own process builds the editions; matplotlib (about 0.5 s to import) is
    # for the notebooks' figures. The fonts and the executive summary must not load it.
    code = (
        "import sys\n"
        "from evalkit.editions import engines, summary\n"
        "f = engines.fonts()\n"
        "assert f.sans_file.is_file() and f.sans_family == 'Noto Sans CJK SC', f\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
