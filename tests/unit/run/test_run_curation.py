"""The pipeline's curation step runs intake in a child process (issue 19: memory at scale).

Intake holds every submitted row; curated in the run's own process, most of that memory
stayed with the run while its notebooks executed. These tests check that the run's
process never loads intake, that the answer (status, findings) still comes back, and
that a child dying without an answer is a clear error, not a hang.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evalkit import paths
from evalkit.run import curation
from evalkit.run.parameters import PipelineError

RAW = paths.ROOT / "data" / "raw" / "demo"

pytestmark = pytest.mark.skipif(not (RAW / "dataset.yaml").exists(), reason="no raw demo dataset")

PROBE = """
import sys
from pathlib import Path
from evalkit.run import curation
lines = []
ran = curation.run_intake(Path(sys.argv[1]), Path(sys.argv[2]), out=lines.append)
print(ran, "evalkit.intake" in sys.modules, "pandas" in sys.modules)
print("\\n".join(lines))
"""


def test_the_run_process_never_loads_intake(tmp_path):
    env = dict(os.environ, EVALKIT_BUILD_DIR=str(tmp_path / "build"))
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(RAW), str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    first, *lines = proc.stdout.splitlines()
    # Curation ran; neither intake nor pandas was imported by the calling process.
    assert first == "True False False"
    # The child's findings came back: the demo data's quarantined rows are counted.
    counted = next(line for line in lines if "已整理 curated" in line)
    assert "7 个行级错误已隔离 row errors quarantined" in counted
    assert (data / "curated" / "_meta.json").exists()


def test_failed_intake_reports_errors_from_the_child(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "projects.csv").write_text("not,a,known,table\n1,2,3,4\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="intake failed"):
        curation.run_intake(raw, tmp_path / "data", out=lambda s: None)
    assert not (tmp_path / "data" / "curated").exists()


def _die(dataset: str, data: str):
    """Stands in for the child's work: the process ends without an answer."""
    os._exit(3)


def test_a_child_dying_without_an_answer_is_a_pipeline_error(tmp_path, monkeypatch):
    monkeypatch.setenv("EVALKIT_BUILD_DIR", str(tmp_path / "build"))
    monkeypatch.setattr(curation, "_curate", _die)
    with pytest.raises(PipelineError, match="curation process died"):
        curation.curate_in_child(RAW, Path(tmp_path / "data"))
