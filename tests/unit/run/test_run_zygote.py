"""Zygote folders: each records who started it; a later zygote removes those of killed runs."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from evalkit.run import zygote as zg


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # reaped: the pid names no process
    return proc.pid


def _folder(temp: Path, name: str, owner: int | None) -> Path:
    folder = temp / (zg.FOLDER_PREFIX + name)
    folder.mkdir()
    (folder / "socket").touch()
    if owner is not None:
        (folder / zg.OWNER_FILE).write_text(str(owner), encoding="ascii")
    return folder


def test_only_folders_of_runs_that_are_gone_are_removed(tmp_path):
    dead = _folder(tmp_path, "dead", _dead_pid())
    live = _folder(tmp_path, "live", os.getpid())
    unowned = _folder(tmp_path, "unowned", None)
    other = tmp_path / "evalkit-kernel-keep"
    other.mkdir()
    (tmp_path / (zg.FOLDER_PREFIX + "a-file")).touch()
    assert zg.remove_stale_folders(str(tmp_path)) == [str(dead)]
    assert not dead.exists() and live.exists() and unowned.exists() and other.exists()
    # Without a pid (no owner file, as an older evalkit made; or an empty one, the run
    # killed as it wrote it), a folder goes once it is old.
    empty = _folder(tmp_path, "empty", None)
    (empty / zg.OWNER_FILE).write_text("", encoding="ascii")
    assert zg.remove_stale_folders(str(tmp_path)) == []
    later = time.time() + zg.UNOWNED_GRACE + 1
    assert sorted(zg.remove_stale_folders(str(tmp_path), now=later)) == sorted(
        [str(unowned), str(empty)]
    )
    assert live.exists() and (tmp_path / (zg.FOLDER_PREFIX + "a-file")).exists()


def test_a_new_zygote_records_its_owner_and_clears_a_killed_runs_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = _folder(tmp_path, "dead", _dead_pid())
    z = zg.Zygote(dict(os.environ), str(tmp_path), preload=())
    try:
        assert z.ok
        assert not dead.exists()
        assert Path(z.folder).parent == tmp_path
        assert (Path(z.folder) / zg.OWNER_FILE).read_text(encoding="ascii") == str(os.getpid())
    finally:
        z.close()
    assert not Path(z.folder).exists()
