"""Official editions: the year's evaluation report as a Word document and a print-ready PDF.

``reports/<year>/report-<year>.docx`` and ``.pdf`` (name in ``config/editions.yaml``) are
assembled from the year's executed notebooks (Quarto-native outputs, issue #14): a cover
(《<pilot zone><year>年度评估报告》, issuing body, as-of date, synthetic-data notice), an
executive summary from ``summary.json``, the comprehensive evaluation and each special
topic in ``pages.yaml`` order, then the methodology and data notes as annexes. Headings
are numbered 一、/（一）/1., tables and figures 表 1 / 图 1, after GB/T 9704-2012
(:mod:`.style` lists each convention and the font substitutions).

Engines — the ones Quarto itself uses, from registry packages, on every machine:

* .docx: pandoc (``pypandoc-binary``) with a reference document derived from pandoc's
  default and restyled with python-docx (:mod:`.style`);
* PDF: pandoc's ``typst`` writer with ``resources/edition.typst``, compiled by the Typst
  compiler of the ``typst`` package with Noto Serif SC and Noto Sans CJK SC (OFL, both
  from wheels) embedded.

Why not the Quarto CLI where it is present: Quarto's ``docx``/``typst`` formats would
need a second, book-style project (one chapter per executed notebook, cover and
executive summary as extra pages, its own Typst template partials) beside the website,
and would run on the evaluator's machine only — CI has no Quarto (it cannot be installed
from a package registry), so that path would be untested and the editions would differ
by machine. The offline path runs the same engines (pandoc, Typst) Quarto would, so
one path, tested everywhere, is used whether or not Quarto is on PATH.

Public API: :func:`build` (write both editions), :func:`update` (the pipeline's hook:
rebuild only when :func:`inputs_key` changed), :func:`is_stale`, :func:`load_config`.
"""

from __future__ import annotations

from .builder import EditionConfig, build, inputs_key, is_stale, load_config, update
from .engines import EditionError

__all__ = [
    "EditionConfig",
    "EditionError",
    "build",
    "inputs_key",
    "is_stale",
    "load_config",
    "update",
]
