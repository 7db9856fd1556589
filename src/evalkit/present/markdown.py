"""Page output as Quarto-native Markdown: tables, captions, labels, callouts, links, figures.

Every report page is a notebook whose cell outputs Quarto (and smalldocs) turn into
HTML, Word and PDF. An HTML output (``text/html``) makes Quarto load require.js and
jQuery from a public CDN on the page (quarto-cli ``src/core/jupyter/widgets.ts``,
``extractJupyterWidgetDependencies``) and reaches no other format, so pages show
``text/markdown`` only, written here:

- :func:`md_escape` — **the one place** submitted or configured text is escaped for
  Markdown. HTML-special characters become entities and every ASCII punctuation
  character is backslash-escaped (Pandoc's ``all_symbols_escapable``; CommonMark
  escapes the same set), so ``<script>``, ``[x](javascript:…)``, ``*bold*``, ``|``,
  ``$x$``, ``@cite`` and ``{{< include … >}}`` (Quarto's shortcode syntax) show
  literally and straight quotes stay straight (no smart-quote pairing of CJK text).
  Line breaks become spaces (a table cell or a caption is one line).
- :func:`markdown_table` — a pipe table with its caption line ``: caption {#tbl-…}``
  (Pandoc's ``table_captions``; Quarto numbers it "表 1" under ``lang: zh``).
- :func:`callout`, :func:`download_links`, :func:`figure_markdown`.

Raw HTML appears only inside a ```` ```{=html} ```` block (:func:`raw_html_block`),
and only for the search box of a long list, which needs an ``<input>``.
"""

from __future__ import annotations

import html
import math
import re
import sys
from typing import TYPE_CHECKING

from .format import MISSING, is_missing

if TYPE_CHECKING:  # annotations only: the editions read this module without pandas
    import pandas as pd

#: ASCII punctuation that Markdown (Pandoc or CommonMark) could read as markup.
#: ``&`` and ``;`` are left alone: :func:`html.escape` has turned ``<``, ``>`` and ``&``
#: into entities first, and those entities must stay intact.
_PUNCTUATION = re.compile(r"""([\\`*_{}\[\]()#+\-.!|~$@^"'=:<>])""")

#: A label Quarto accepts for a cross-reference: its prefix, then letters, digits, - or _.
_LABEL = re.compile(r"^(tbl|fig)-[A-Za-z0-9][A-Za-z0-9_-]*$")

#: A cell that reads as a number (thousands separators, sign, decimals, %, 万元 etc. not
#: included): such columns are right-aligned.
_NUMBER = re.compile(r"^[+\-−]?[\d,]*\.?\d+%?$")


def md_escape(text) -> str:
    r"""Return *text* as Markdown that shows it literally, under Pandoc/Quarto and CommonMark.

    ``str(text)`` is HTML-escaped (``<`` → ``&lt;``, ``&`` → ``&amp;``), then every ASCII
    punctuation character that either dialect could read as markup gets a backslash,
    and line breaks become spaces. Non-ASCII text (Chinese) is unchanged: for example
    ``*b*`` becomes ``\*b\*`` and ``<b>`` becomes ``&lt;b&gt;``.
    """
    flat = re.sub(r"\s*[\r\n]+\s*", " ", str(text))
    escaped = html.escape(flat, quote=False)
    # Escape punctuation outside the entities html.escape wrote (&lt; &gt; &amp;).
    parts = re.split(r"(&(?:lt|gt|amp);)", escaped)
    return "".join(p if i % 2 else _PUNCTUATION.sub(r"\\\1", p) for i, p in enumerate(parts))


def format_cell(value) -> str:
    """Format one table value as page text: missing as "—", dates as ISO, floats to 2 decimals.

    Display tables are formatted by :mod:`evalkit.present.format` before they get here;
    this only covers raw values (a float column left unformatted shows ``1,234.50``).
    """
    if is_missing(value):
        return MISSING
    # A pandas or numpy value exists only once its library is imported (sys.modules):
    # checked without importing either.
    pd, np = sys.modules.get("pandas"), sys.modules.get("numpy")
    if pd is not None and isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) or (np is not None and isinstance(value, np.floating)):
        return f"{value:,.2f}"
    return str(value)


def _column_text(col: pd.Series, header: str = "") -> list[str]:
    """Format one column for a page: one number style within the column.

    A numeric column whose values are all whole numbers is shown without decimals
    (``230,560``, counts as ``19``, never ``19.00``); other numeric columns with two
    decimals; every number with thousands separators; missing as "—". A column of
    years (header with 年, whole values 1900–2100) is shown as written: 2026, not 2,026.
    """
    import numpy as np  # imported already: *col* is a pandas Series

    values = list(col)
    shown = [v for v in values if not is_missing(v) and not (isinstance(v, str) and v == MISSING)]
    numeric = bool(shown) and all(
        isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
        for v in shown
    )
    if numeric:
        finite = [float(v) for v in shown if math.isfinite(float(v))]
        if finite and all(v == int(v) for v in finite):
            if "年" in header and all(1900 <= v <= 2100 for v in finite):
                return [MISSING if is_missing(v) or v == MISSING else str(int(v)) for v in values]
            return [
                v if v == MISSING else format_cell(v) if is_missing(v) else f"{float(v):,.0f}"
                for v in values
            ]
    return [format_cell(v) for v in values]


def check_label(label: str) -> str:
    """Return *label* if it is a valid ``tbl-…``/``fig-…`` cross-reference id; raise ValueError."""
    if not _LABEL.match(label):
        raise ValueError(f"label must be tbl-… or fig-… (letters, digits, - or _): {label!r}")
    return label


def _alignment(cells: list[str]) -> str:
    """Return the pipe-table delimiter for a column: right-aligned when every value is a number."""
    shown = [c for c in cells if c != MISSING]
    return "---:" if shown and all(_NUMBER.match(c) for c in shown) else ":---"


def markdown_table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    label: str | None = None,
    max_rows: int | None = None,
) -> str:
    """Return *df* as a Markdown pipe table, with ``: caption {#label}`` below it.

    Args:
        df: the display table, one row a line; any dtype (see :func:`format_cell`).
        caption: table title (plain text; escaped here).
        label: ``tbl-…`` cross-reference id; with a caption, Quarto numbers the table
            (表 1, 表 2, … on a ``lang: zh`` page). Without a caption no label is written.
        max_rows: show only the first rows and say how many there are.

    Every header and cell goes through :func:`md_escape`; columns whose shown values are
    all numbers are right-aligned. Returns the Markdown (ends with a newline). An empty
    frame gives a one-line note instead of a table with no rows.
    """
    rows = df if max_rows is None else df.head(max_rows)
    if label is not None:
        check_label(label)
    if len(df.columns) == 0:
        return "（无数据）\n"
    text = list(zip(*(_column_text(rows[c], str(c)) for c in rows.columns), strict=True))
    columns = list(zip(*text, strict=True)) if text else [() for _ in df.columns]
    head = "| " + " | ".join(md_escape(c) or " " for c in df.columns) + " |"
    rule = "|" + "|".join(_alignment(list(col)) for col in columns) + "|"
    body = ["| " + " | ".join(md_escape(c) for c in rec) + " |" for rec in text]
    lines = [head, rule, *body]
    if not text:
        lines.append(
            "| "
            + " | ".join("（无数据）" if i == 0 else " " for i in range(len(df.columns)))
            + " |"
        )
    out = "\n".join(lines) + "\n"
    if caption:
        ident = f" {{#{label}}}" if label else ""
        out += f"\n: {md_escape(caption)}{ident}\n"
    if max_rows is not None and len(df) > max_rows:
        out += f"\n（仅显示前 {max_rows} 行，共 {len(df)} 行；完整数据可在网站本页下载）\n"
    return out


def _attribute_text(text: str) -> str:
    """Return *text* fit for a quoted attribute value: one line, no backslash, CJK quotes."""
    flat = re.sub(r"\s+", " ", str(text)).strip().replace("\\", "＼")
    parts = flat.split('"')
    out = parts[0]
    for i, part in enumerate(parts[1:]):
        out += ("“" if i % 2 == 0 else "”") + part
    return html.escape(out, quote=False)


def callout(kind: str, text: str, *, title: str | None = None, minimal: bool = False) -> str:
    """Return a Quarto callout block (``note``, ``tip``, ``warning``, ``caution``, ``important``).

    *text* is Markdown written by evalkit (not escaped here: escape submitted parts with
    :func:`md_escape` first); *title* is plain text and is escaped. *minimal*: Quarto's
    ``appearance="minimal"`` (no header, no icon: one compact block, also in smalldocs,
    which would title a "simple" callout with an English "Warning").
    """
    if kind not in ("note", "tip", "warning", "caution", "important"):
        raise ValueError(f"unknown callout kind: {kind!r}")
    attrs = f".callout-{kind}"
    if title:
        attrs += f' title="{_attribute_text(title)}"'
    if minimal:
        attrs += ' appearance="minimal"'
    return f"::: {{{attrs}}}\n{text.strip()}\n:::\n"


def download_links(csv_href: str, xlsx_href: str, label: str, xlsx_label: str) -> str:
    """Return one Markdown line linking a table's CSV and XLSX downloads (labels escaped)."""
    for href in (csv_href, xlsx_href):
        if not re.fullmatch(r"[A-Za-z0-9_./-]+", href) or ".." in href or href.startswith("/"):
            raise ValueError(f"download link must be a relative path in the site: {href!r}")
    return (
        f'[{md_escape(label)}]({csv_href}){{.evalkit-download download=""}}'
        f' · [{md_escape(xlsx_label)}]({xlsx_href}){{.evalkit-download download=""}}\n'
    )


def figure_markdown(src: str, caption: str, alt: str, label: str) -> str:
    """Return an image as a numbered Quarto figure: ``![caption](src){#fig-… fig-alt="…"}``.

    *src* is a relative path in the site; *caption* and *alt* are plain text (escaped;
    the alt text is an attribute value, so quotes are replaced by CJK quotes).
    """
    check_label(label)
    if not re.fullmatch(r"[A-Za-z0-9_./-]+", src) or ".." in src or src.startswith("/"):
        raise ValueError(f"figure path must be a relative path in the site: {src!r}")
    alt_text = _attribute_text(alt)
    return f'![{md_escape(caption)}]({src}){{#{label} fig-alt="{alt_text}"}}\n'


def raw_html_block(content: str) -> str:
    """Wrap trusted HTML (evalkit's own, never submitted text) in a ```` ```{=html} ```` block."""
    longest = max((len(m) for m in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{content}\n{fence}\n"


_RAW_HTML_BLOCK = re.compile(r"^(`{3,})\{=html\}\n.*?\n\1\n?", re.MULTILINE | re.DOTALL)


def without_raw_html_blocks(text: str) -> str:
    """Return Markdown *text* without the blocks :func:`raw_html_block` writes.

    Such HTML is for the site only (the reform list's search box). The editions read
    Markdown without raw extensions, so the block would print as code text.
    """
    return _RAW_HTML_BLOCK.sub("", text)
