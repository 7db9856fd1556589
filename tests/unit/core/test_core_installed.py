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
    """A ``read`` callable that counts its calls and returns *value*."""

    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


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
    read = Reader("3.9")
    installed.remembered("pandoc", read, files=[binary])
    installed.remembered("pandoc", read, files=[binary])
    assert read.calls == 1
    binary.write_bytes(b"v2, longer")  # another size
    installed.remembered("pandoc", read, files=[binary])
    assert read.calls == 2
    st = binary.stat()
    os.utime(binary, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # same size, newer
    installed.remembered("pandoc", read, files=[binary])
    assert read.calls == 3
    binary.unlink()
    installed.remembered("pandoc", read, files=[binary])
    assert read.calls == 4


def test_a_kept_value_of_another_kind_is_read_again(build):
    read = Reader({"typst": "0.15.0"})
    installed.remembered("packages", read, kind=dict)
    path = build / "installed.json"
    kept = json.loads(path.read_text("utf-8"))
    kept["values"]["packages"]["value"] = ["hand", "edited"]
    path.write_text(json.dumps(kept), encoding="utf-8")
    assert installed.remembered("packages", read, kind=dict) == {"typst": "0.15.0"}
    assert read.calls == 2


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
        versions = engines.engine_versions()
        assert versions == {
            "pandoc": engines.pandoc_version(engines.pandoc_path()),
            **engines._package_versions(),
        }
        assert versions["typst"] == metadata.version("typst")
        assert provenance.renderer_version("smalldocs") == metadata.version("smalldocs")
    kept = json.loads((build / "installed.json").read_text("utf-8"))["values"]
    assert sorted(kept) == ["editions-packages", "numpy", "pandoc", "smalldocs"]


def _fake_pandoc(path, version: str):
    path.write_text(f"#!/bin/sh\necho 'pandoc {version}'\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def test_the_bundled_pandoc_is_followed_and_preferred(build, tmp_path, monkeypatch):
    from evalkit.editions import engines

    bundled = _fake_pandoc(tmp_path / "pandoc", "3.9")
    monkeypatch.setattr(engines, "bundled_pandoc", lambda: bundled)
    other = _fake_pandoc(tmp_path / "other-pandoc", "9.0")
    monkeypatch.setenv("PYPANDOC_PANDOC", str(other))  # pypandoc alone would take it
    assert engines.pandoc_path() == str(bundled)
    assert engines.engine_versions()["pandoc"] == "3.9"
    _fake_pandoc(bundled, "3.10")  # upgraded in place: another size
    assert engines.engine_versions()["pandoc"] == "3.10"


def test_a_pandoc_found_elsewhere_is_asked_every_time(build, tmp_path, monkeypatch):
    from evalkit.editions import engines

    found = _fake_pandoc(tmp_path / "pandoc", "3.1")
    monkeypatch.setattr(engines, "bundled_pandoc", lambda: None)
    monkeypatch.setattr(engines, "pandoc_path", lambda: str(found))
    assert engines.engine_versions()["pandoc"] == "3.1"
    found.write_text("#!/bin/sh\necho 'pandoc 3.2'\n", encoding="utf-8")  # same size
    assert engines.engine_versions()["pandoc"] == "3.2"
    kept = json.loads((build / "installed.json").read_text("utf-8"))["values"]
    assert "pandoc" not in kept


def test_a_pandoc_without_a_version_is_an_edition_error(tmp_path):
    from evalkit.editions import EditionError, engines

    silent = tmp_path / "pandoc"
    silent.write_text("#!/bin/sh\necho 'no version here'\n", encoding="utf-8")
    silent.chmod(0o755)
    with pytest.raises(EditionError, match="pandoc failed"):
        engines.pandoc_version(str(silent))
    with pytest.raises(EditionError, match="pandoc failed"):
        engines.pandoc_version(str(tmp_path / "missing"))
