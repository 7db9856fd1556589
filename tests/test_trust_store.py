"""Curated data are replaced as a whole folder: a failure mid-write changes nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from trust_factory import tree_hashes

from evalkit import demo


def _frames(n: int) -> dict[str, pd.DataFrame]:
    return {
        "projects": pd.DataFrame({"project_id": [f"P{i}" for i in range(n)]}),
        "reform_items": pd.DataFrame({"item_id": [f"R{i}" for i in range(n)]}),
    }


def test_demo_write_curated_failure_leaves_previous_store(tmp_path, monkeypatch):
    demo.write_curated(_frames(2), {"synthetic": True}, tmp_path)
    curated = tmp_path / "curated"
    (curated / "_intake.json").write_text("{}", encoding="utf-8")  # a file demo does not own
    before = tree_hashes(curated)

    real = pd.DataFrame.to_parquet
    calls = []

    def failing(self, *a, **kw):
        calls.append(1)
        if len(calls) == 2:  # the first table is written, the second fails
            raise OSError("disk full")
        return real(self, *a, **kw)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing)
    with pytest.raises(OSError):
        demo.write_curated(_frames(3), {"synthetic": True}, tmp_path)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", real)
    assert tree_hashes(curated) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".curated.lock", "curated"]

    written = demo.write_curated(_frames(3), {"synthetic": True}, tmp_path)
    assert len(pd.read_parquet(curated / "projects.parquet")) == 3
    assert (curated / "_intake.json").exists()  # kept: written by intake, not by demo
    assert sorted(p.name for p in written) == [
        "_meta.json",
        "projects.parquet",
        "reform_items.parquet",
    ]


def test_demo_write_curated_has_no_per_file_crash_window(tmp_path, monkeypatch):
    """Stop the writer at its second rename (as a crash would): never some tables new."""
    import os

    demo.write_curated(_frames(2), {"synthetic": True}, tmp_path)
    curated = tmp_path / "curated"
    old = tree_hashes(curated)
    real_replace, real_rename = os.replace, os.rename
    calls = []

    def crash_on_second(fn):
        def wrapped(*a, **kw):
            calls.append(a)
            if len(calls) == 2:
                raise KeyboardInterrupt("killed")
            return fn(*a, **kw)

        return wrapped

    monkeypatch.setattr(os, "replace", crash_on_second(real_replace))
    monkeypatch.setattr(os, "rename", crash_on_second(real_rename))
    try:
        demo.write_curated(_frames(3), {"synthetic": False}, tmp_path)
    except KeyboardInterrupt:
        pass
    monkeypatch.setattr(os, "replace", real_replace)
    monkeypatch.setattr(os, "rename", real_rename)
    demo.write_curated(_frames(3), {"synthetic": False}, tmp_path / "ref")
    new = tree_hashes(tmp_path / "ref" / "curated")
    assert tree_hashes(curated) in (old, new)
