"""The two engines of the editions: pandoc (→ .docx) and pandoc's Typst writer + Typst (→ PDF).

Nothing here writes Word or PDF itself: pandoc (``pypandoc-binary`` ships the binary)
converts the assembled pandoc markdown with the reference document of
:mod:`evalkit.editions.style`; pandoc's ``typst`` writer fills the template
``resources/edition.typst`` and the Typst compiler of the ``typst`` package makes the
PDF, with exactly two font files passed in (system fonts ignored), so every machine
embeds the same fonts. One Lua filter (``resources/edition.lua``) numbers headings,
tables and figures for both.

Deterministic bytes: pandoc runs with ``SOURCE_DATE_EPOCH`` (the as-of date), the
.docx archive is rewritten with fixed entry timestamps, and the Typst document has no
date (``set document(date: none)``), so two builds of the same inputs give the same files.
"""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

RESOURCES = Path(__file__).with_name("resources")
LUA_FILTER = RESOURCES / "edition.lua"
TYPST_TEMPLATE = RESOURCES / "edition.typst"

#: pandoc's markdown reader as the editions use it: everything in the text stays text —
#: no raw HTML/TeX/attribute blocks, no TeX math, no smart quotes (CJK quotes stay as typed).
READER = (
    "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"
    "-smart-yaml_metadata_block-citations"
)
#: Fixed timestamp of every entry of the .docx archive (the ZIP epoch).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class EditionError(RuntimeError):
    """An engine failed (message names the engine and carries its error output)."""


@dataclass(frozen=True)
class Fonts:
    """The PDF's two font files and family names (the figures' sans, an OFL serif)."""

    serif_file: Path
    serif_family: str
    sans_file: Path
    sans_family: str


def fonts() -> Fonts:
    """Return the packaged fonts: Noto Serif SC (``pylopdf-fonts-zh-cn``) and Noto Sans CJK SC.

    The sans is the one the figures use (:func:`evalkit.present.fonts.font_path`,
    ``noto-cjk-sans-otc``); both are SIL OFL 1.1.
    """
    import pylopdf_fonts_zh_cn

    from ..present import fonts as figure_fonts

    return Fonts(
        serif_file=Path(pylopdf_fonts_zh_cn.serif_path()),
        serif_family="Noto Serif SC",
        sans_file=figure_fonts.font_path(),
        sans_family=figure_fonts.FONT_FAMILY,
    )


def bundled_pandoc() -> Path | None:
    """Return the pandoc binary ``pypandoc-binary`` ships (``pypandoc/files/pandoc``), or None.

    Found without importing pypandoc (where its own ``_ensure_pandoc_path`` looks first).
    """
    import importlib.util

    spec = importlib.util.find_spec("pypandoc")
    if spec is None or not spec.origin:
        return None
    name = "pandoc.exe" if os.name == "nt" else "pandoc"
    path = Path(spec.origin).resolve().parent / "files" / name
    return path if path.is_file() else None


def pandoc_path() -> str:
    """Return the pandoc the editions run: the one ``pypandoc-binary`` ships.

    That one whenever it is installed, so every machine builds with the same pandoc
    (pypandoc alone would take the highest version it finds: ``PYPANDOC_PANDOC``, PATH,
    ``~/bin`` …). Without it, pypandoc's choice.
    """
    bundled = bundled_pandoc()
    if bundled is not None:
        return str(bundled)
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_version(binary: str) -> str:
    """Return the version *binary* reports (``pandoc --version``: ``pandoc 3.9`` → ``3.9``).

    Raises :class:`EditionError` when it cannot be run or says no version.
    """
    try:
        proc = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, check=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise EditionError(f"pandoc failed: {binary} --version: {exc}") from exc
    first = (proc.stdout.splitlines() or [""])[0].split()
    if len(first) < 2 or not first[1][:1].isdigit():
        raise EditionError(f"pandoc failed: {binary} --version printed {proc.stdout[:200]!r}")
    return first[1]


def _package_versions() -> dict[str, str]:
    from importlib.metadata import version

    return {
        "typst": version("typst"),
        "python-docx": version("python-docx"),
        "pylopdf-fonts-zh-cn": version("pylopdf-fonts-zh-cn"),
        "noto-cjk-sans-otc": version("noto-cjk-sans-otc"),
    }


def engine_versions() -> dict[str, str]:
    """Return the versions of pandoc, Typst, python-docx and the fonts (they enter the key).

    The packages' versions come from :mod:`importlib.metadata`, the bundled pandoc's
    from ``pandoc --version``; both are remembered while nothing is installed and that
    binary is unchanged (:mod:`evalkit.core.installed`). A pandoc found elsewhere (no
    ``pypandoc-binary``) is asked every time: pypandoc's choice depends on more than
    installed packages.
    """
    from ..core import installed

    bundled = bundled_pandoc()
    if bundled is None:
        pandoc = pandoc_version(pandoc_path())
    else:
        pandoc = installed.remembered(
            "pandoc", lambda: pandoc_version(str(bundled)), files=[bundled], kind=str
        )
    packages = installed.remembered("editions-packages", _package_versions, kind=dict)
    return {"pandoc": pandoc, **packages}


def epoch_of(as_of: str) -> str:
    """Return ``SOURCE_DATE_EPOCH`` for the as-of date *as_of* (midnight UTC), as text."""
    day = date.fromisoformat(as_of)
    return str(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()))


def run_pandoc(args: list[str], *, cwd: Path, as_of: str, data: bytes | None = None) -> bytes:
    """Run pandoc with *args* in *cwd*; return its standard output.

    Raises :class:`EditionError` with pandoc's message when it fails.
    """
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch_of(as_of)}
    proc = subprocess.run(
        [pandoc_path(), *args], cwd=cwd, input=data, capture_output=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise EditionError(f"pandoc failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def default_reference_docx() -> bytes:
    """Return pandoc's own default reference document (``--print-default-data-file``)."""
    proc = subprocess.run(
        [pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise EditionError(f"pandoc failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout


def write_docx(work: Path, source: str, metadata: Path, reference: Path, out: Path, as_of: str):
    """Convert *work*/*source* (pandoc markdown) to *out* (.docx) with *reference*.

    Images are resolved from *work* (the figures are copied there). The result is
    post-processed by :func:`evalkit.editions.style.finish_docx` (table header rows
    repeated, rows never split) and its archive normalized (:func:`normalize_zip`).
    """
    from . import style

    raw = work / "pandoc.docx"
    run_pandoc(
        [
            "--from",
            READER,
            "--to",
            "docx",
            "--reference-doc",
            str(reference),
            "--lua-filter",
            str(LUA_FILTER),
            "--metadata-file",
            str(metadata),
            "--resource-path",
            str(work),
            "--output",
            str(raw),
            source,
        ],
        cwd=work,
        as_of=as_of,
    )
    finished = style.finish_docx(raw.read_bytes())
    out.write_bytes(normalize_zip(finished))


def write_pdf(work: Path, source: str, metadata: Path, out: Path, as_of: str) -> None:
    """Convert *work*/*source* to Typst with pandoc, then compile *out* (PDF) with Typst.

    Only the two packaged fonts are visible to Typst (a folder of links to them;
    ``ignore_system_fonts``). Raises :class:`EditionError` when either step fails.
    """
    import typst

    typ = work / "edition.typ"
    run_pandoc(
        [
            "--from",
            READER,
            "--to",
            "typst",
            "--template",
            str(TYPST_TEMPLATE),
            "--lua-filter",
            str(LUA_FILTER),
            "--metadata-file",
            str(metadata),
            "--output",
            str(typ),
            source,
        ],
        cwd=work,
        as_of=as_of,
    )
    f = fonts()
    font_dir = work / "fonts"
    font_dir.mkdir(exist_ok=True)
    for src in (f.serif_file, f.sans_file):
        link = font_dir / src.name
        if not link.exists():
            link.symlink_to(src)
    try:
        pdf = typst.compile(
            str(typ),
            root=str(work),
            font_paths=[str(font_dir)],
            ignore_system_fonts=True,
            sys_inputs={"serif": f.serif_family, "sans": f.sans_family},
        )
    except Exception as exc:  # typst raises its own error types; keep the message
        raise EditionError(f"typst failed: {exc}") from exc
    out.write_bytes(pdf)


def normalize_zip(data: bytes) -> bytes:
    """Return the ZIP archive *data* rewritten with fixed timestamps and attributes.

    Entry order and contents are kept (``[Content_Types].xml`` stays first); every
    entry gets the ZIP epoch as its date and deflate compression, so the bytes depend
    on the contents only.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename), compresslevel=6)
    return buf.getvalue()
