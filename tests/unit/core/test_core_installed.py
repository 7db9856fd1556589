"""Installed versions remembered in ``build/installed.json`` while nothing was installed."""

from __future__ import annotations

import json
import os
import sys

import pytest

from evalkit.core import installed


@pytest.fixture
def build(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    (tmp_path / "build").mkdir()
    return tmp_path / "build"


class Reader:
    """A ``read`` callable that counts its calls and returns *value* and *files*."""

    def __init__(self, value, files=()):
        self.value, self.files, self.calls = value, list(files), 0

    def __call__(self):
        self.calls += 1
        return self.value, self.files


def test_a_value_is_read_once_then_remembered(build):
    read = Reader({"pandoc": "3.9"})
    assert installed.remembered("engines", read) == {"pandoc": "3.9"}
    assert installed.remembered("engines", read) == {"pandoc": "3.9"}
    assert read.calls == 1
    kept = json.loads((build / "installed.json").read_text("utf-8"))
    assert kept["values"]["engines"]["value"] == {"pandoc": "3.9"}
    assert not list(build.glob("*.part"))
    other = Reader("2.4.6")
    assert installed.remembered("numpy", other) == "2.4.6"  # kept beside the first
    assert installed.remembered("engines", read) == {"pandoc": "3.9"} and read.calls == 1


def test_a_changed_file_of_the_value_reads_it_again(build, tmp_path):
    binary = tmp_path / "pandoc"
    binary.write_bytes(b"v1")
    read = Reader("3.9", [binary])
    installed.remembered("pandoc", read)
    installed.remembered("pandoc", read)
    assert read.calls == 1
    binary.write_bytes(b"v2, longer")  # another size
    installed.remembered("pandoc", read)
    assert read.calls == 2
    st = binary.stat()
    os.utime(binary, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # same size, newer
    installed.remembered("pandoc", read)
    assert read.calls == 3
    binary.unlink()
    installed.remembered("pandoc", read)
    assert read.calls == 4


def test_an_install_into_a_path_folder_reads_everything_again(build, tmp_path, monkeypatch):
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    read = Reader("2.4.6")
    installed.remembered("numpy", read)
    installed.remembered("numpy", read)
    assert read.calls == 1
    st = site.stat()
    (site / "numpy-2.5.0.dist-info").mkdir()  # what pip does on an upgrade
    os.utime(site, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # coarse clocks
    installed.remembered("numpy", read)
    assert read.calls == 2


def test_the_working_directory_is_not_part_of_the_environment(build, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(sys, "path", [str(work), *sys.path])
    before = installed.environment()
    assert str(work) not in json.dumps(before)
    (work / "new-file").write_text("x")
    assert installed.environment() == before


def test_a_damaged_or_foreign_file_is_read_again_and_replaced(build):
    path = build / "installed.json"
    for text in ("{not json", '["a list"]', '{"environment": "other", "values": {}}'):
        path.write_text(text, encoding="utf-8")
        read = Reader("0.5.4")
        assert installed.remembered("smalldocs", read) == "0.5.4"
        assert read.calls == 1
        assert json.loads(path.read_text("utf-8"))["environment"] == installed.environment()


def test_no_build_folder_is_created(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    read = Reader("2.4.6")
    assert installed.remembered("numpy", read) == "2.4.6"
    assert installed.remembered("numpy", read) == "2.4.6"
    assert read.calls == 2 and not (tmp_path / "build").exists()


def test_a_failed_write_still_gives_the_value(build):
    (build / "installed.json").mkdir()  # the rename onto it fails (root ignores modes)
    read = Reader("0.5.4")
    assert installed.remembered("smalldocs", read) == "0.5.4"
    assert installed.remembered("smalldocs", read) == "0.5.4"
    assert read.calls == 2  # nothing could be kept
    assert sorted(p.name for p in build.iterdir()) == ["installed.json"]  # no .part left


def test_a_failing_read_propagates_and_stores_nothing(build):
    def broken():
        raise RuntimeError("pandoc is missing")

    with pytest.raises(RuntimeError, match="pandoc is missing"):
        installed.remembered("engines", broken)
    assert not (build / "installed.json").exists()


def test_the_remembered_versions_are_the_installed_ones(build):
    from importlib import metadata

    from evalkit.core import numerics
    from evalkit.editions import engines
    from evalkit.run import provenance

    major, minor = metadata.version("numpy").split(".")[:2]
    for _ in range(2):  # read, then remembered
        assert numerics.numpy_release() == (int(major), int(minor))
        assert engines.engine_versions() == engines._read_engine_versions()[0]
        assert provenance.renderer_version("smalldocs") == metadata.version("smalldocs")
    kept = json.loads((build / "installed.json").read_text("utf-8"))["values"]
    assert sorted(kept) == ["editions-engines", "numpy", "smalldocs"]
