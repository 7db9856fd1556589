"""Stored topic results: exact round trip, recomputed only when a declared input changes."""

import dataclasses
import json
import os
import sys
import types

import numpy as np
import pandas as pd
import pytest

from evalkit import results
from evalkit.topics import declarations


@dataclasses.dataclass(frozen=True)
class Inner:
    table: pd.DataFrame
    n: int


@dataclasses.dataclass(frozen=True)
class Outer:
    frame: pd.DataFrame
    series: pd.Series
    inner: Inner
    by_zone: dict
    share: float


def sample() -> Outer:
    frame = pd.DataFrame({"zone_id": ["b", "a"], "v": [1.5, np.nan]}).set_index("zone_id")
    return Outer(
        frame=frame,
        series=pd.Series([3, 1], index=["b", "a"]),
        inner=Inner(pd.DataFrame({"q": [1, 2]}), np.int64(3)),
        by_zone={"zhaodong": np.float64(0.1), "qinggang": 2},
        share=1 / 3,
    )


def test_round_trip_keeps_values_index_and_dict_order(tmp_path):
    folder = results.save(sample(), tmp_path / "r", key="k1")
    back = results.read(folder)
    pd.testing.assert_frame_equal(back.frame, sample().frame)
    pd.testing.assert_series_equal(back.series, sample().series)
    pd.testing.assert_frame_equal(back.inner.table, sample().inner.table)
    assert back.inner.n == 3 and back.share == 1 / 3
    assert list(back.by_zone) == ["zhaodong", "qinggang"]  # insertion order, not sorted
    assert results.stored_key(folder) == "k1"


def test_same_result_stored_twice_keeps_the_first_folder(tmp_path):
    """Pages load a topic in parallel: a second store of the same key must not swap the folder."""
    folder = results.save(sample(), tmp_path / "r", key="k1")
    inode = folder.stat().st_ino
    results.save(sample(), tmp_path / "r", key="k1")
    assert folder.stat().st_ino == inode
    changed = dataclasses.replace(sample(), share=0.5)
    results.save(changed, tmp_path / "r", key="k2")
    assert folder.stat().st_ino != inode
    assert results.stored_key(folder) == "k2" and results.read(folder).share == 0.5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no temporary folder left


def test_save_refuses_what_is_not_a_dataclass(tmp_path):
    with pytest.raises(TypeError):
        results.save({"a": 1}, tmp_path / "r")


@pytest.fixture
def fake_topic(monkeypatch, tmp_path):
    """A topic ``evalkit.topics.faketopic`` that reads curated table ``projects`` and counts runs."""
    calls = []

    @dataclasses.dataclass(frozen=True)
    class FakeResult:
        total: float

    def run(year, as_of, data_dir):
        calls.append((year, as_of))
        df = pd.read_parquet(tmp_path / "data" / "curated" / "projects.parquet")
        return FakeResult(float(df["x"].sum()))

    module = types.ModuleType("evalkit.topics.faketopic.compute")
    module.READS, module.CONFIG, module.USES = ("projects",), ("targets.yaml",), ()
    module.run, module.FakeResult = run, FakeResult
    FakeResult.__module__, FakeResult.__qualname__ = module.__name__, "FakeResult"
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(sys.modules, "evalkit.topics.faketopic", types.ModuleType("x"))
    # Declarations are read from the topic's source, as for a real topic.
    source = tmp_path / "topics" / "faketopic"
    source.mkdir(parents=True)
    (source / "compute.py").write_text(
        'READS = ("projects",)\nCONFIG = ("targets.yaml",)\nUSES = ()\n', encoding="utf-8"
    )
    monkeypatch.setattr(declarations, "TOPICS_DIR", tmp_path / "topics")
    curated = tmp_path / "data" / "curated"
    curated.mkdir(parents=True)
    (tmp_path / "data" / "config").mkdir()
    (tmp_path / "data" / "config" / "targets.yaml").write_text("a: 1\n", encoding="utf-8")
    pd.DataFrame({"x": [1.0, 2.0]}).to_parquet(curated / "projects.parquet")
    pd.DataFrame({"y": [1]}).to_parquet(curated / "county_panel.parquet")
    (curated / "_meta.json").write_text(json.dumps({"as_of": "2026-10-31", "files": {}}), "utf-8")
    monkeypatch.setenv("EVALKIT_REPORTS_DIR", str(tmp_path / "reports"))
    return calls, tmp_path / "data"


def test_load_computes_once_then_reads_the_stored_result(fake_topic):
    calls, data = fake_topic
    first = results.load("faketopic", 2026, "2026-10-31", data)
    second = results.load("faketopic", 2026, "2026-10-31", data)
    assert first.total == second.total == 3.0
    assert len(calls) == 1


def test_parallel_loads_of_one_result_compute_it_once(fake_topic, monkeypatch, tmp_path):
    """Two loaders at once (as two kernels): the second waits for the first's stored result."""
    import threading
    import time

    calls, data = fake_topic
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    module = sys.modules["evalkit.topics.faketopic.compute"]
    slow_run = module.run

    def run(year, as_of, data_dir):
        time.sleep(0.5)  # long enough for the other loader to arrive while this one computes
        return slow_run(year, as_of, data_dir)

    monkeypatch.setattr(module, "run", run)
    got = []
    threads = [
        threading.Thread(
            target=lambda: got.append(results.load("faketopic", 2026, "2026-10-31", data))
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.total for r in got] == [3.0, 3.0]
    assert len(calls) == 1
    # The lock file sits in the build folder, never among the reports.
    assert list((tmp_path / "build" / "locks").glob("result-*.lock"))
    assert not [p for p in (tmp_path / "reports").rglob("*") if p.name.endswith(".lock")]


def test_load_recomputes_when_a_declared_input_changes(fake_topic):
    calls, data = fake_topic
    results.load("faketopic", 2026, "2026-10-31", data)
    pd.DataFrame({"x": [5.0]}).to_parquet(data / "curated" / "projects.parquet")
    assert results.load("faketopic", 2026, "2026-10-31", data).total == 5.0
    (data / "config" / "targets.yaml").write_text("a: 2\n", encoding="utf-8")
    results.load("faketopic", 2026, "2026-10-31", data)
    results.load("faketopic", 2026, "2026-09-30", data)  # another as-of date
    assert len(calls) == 4


def test_load_ignores_inputs_the_topic_does_not_declare(fake_topic):
    calls, data = fake_topic
    results.load("faketopic", 2026, "2026-10-31", data)
    pd.DataFrame({"y": [2]}).to_parquet(data / "curated" / "county_panel.parquet")
    meta = json.loads((data / "curated" / "_meta.json").read_text("utf-8"))
    meta["files"] = {"raw.xlsx": "changed"}  # raw-file provenance only
    (data / "curated" / "_meta.json").write_text(json.dumps(meta), "utf-8")
    results.load("faketopic", 2026, "2026-10-31", data)
    assert len(calls) == 1


def test_declared_inputs_follow_uses():
    tables, config = results.declared_inputs("summary")
    assert "reform_items" in tables and "targets.yaml" in config
    assert "county_panel" not in tables


def test_declarations_are_read_again_when_the_topic_file_changes(tmp_path, monkeypatch):
    source = tmp_path / "topics" / "t"
    source.mkdir(parents=True)
    compute = source / "compute.py"
    compute.write_text('READS = ("projects",)\n', encoding="utf-8")
    monkeypatch.setattr(declarations, "TOPICS_DIR", tmp_path / "topics")
    first = declarations.topic_declarations("t")
    assert first == {"reads": ("projects",), "config": (), "uses": ()}
    first["reads"] = ("changed by the caller",)  # the remembered copy is not the caller's
    assert declarations.topic_declarations("t")["reads"] == ("projects",)
    st = compute.stat()
    compute.write_text('READS = ("funds_monthly",)\n', encoding="utf-8")
    os.utime(compute, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # coarse clocks
    assert declarations.topic_declarations("t")["reads"] == ("funds_monthly",)
    compute.unlink()
    assert declarations.topic_declarations("t") is None
