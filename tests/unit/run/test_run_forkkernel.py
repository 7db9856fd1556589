"""Fork-started kernels (evalkit.run.forkkernel): fresh per notebook, killable, interruptible.

Each test starts a real zygote and real kernels (a second or two each).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from evalkit.run import execute
from evalkit.run import forkkernel as fk

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork + prctl")

KERNEL_ARGS = execute.KERNEL_ARGUMENTS


@pytest.fixture
def zygote(tmp_path):
    """This process's zygote, with a small preload, closed after the test."""
    fk.close_zygote()
    env = dict(os.environ, PYTHONHASHSEED="0")
    fk._zygote = fk.Zygote(env, str(tmp_path), preload=("json", "ipykernel.kernelapp"))
    assert fk._zygote.ok
    yield fk._zygote, env
    fk.close_zygote()


async def _start(env, cwd, manager=fk.ForkKernelManager):
    km = manager(kernel_name="python3")
    await km.start_kernel(extra_arguments=KERNEL_ARGS, env=env, cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return km, kc


async def _run(kc, code: str, timeout: float = 60) -> tuple[str, dict]:
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])

    reply = await kc.execute_interactive(code, output_hook=hook, timeout=timeout)
    return "".join(out), reply["content"]


async def _start_and_answer(env, cwd) -> tuple[object, str]:
    """Start a kernel, have it print 6 × 7, stop it; return (its process object, the output)."""
    km, kc = await _start(env, cwd)
    process = km.provisioner.process
    text, _ = await _run(kc, "print(6 * 7)")
    await _stop(km, kc)
    return process, text


async def _stop(km, kc):
    kc.stop_channels()
    await km.shutdown_kernel(now=True)


def _gone(pid: int, within: float = 10.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_each_kernel_is_a_fresh_fork_with_its_own_environment_and_no_shared_state(zygote, tmp_path):
    _z, env = zygote

    async def main():
        seen = []
        for page in ("a", "b"):
            km, kc = await _start(dict(env, EVALKIT_PAGE=page), tmp_path)
            assert isinstance(km.provisioner.process, fk.ForkedKernel)
            text, reply = await _run(
                kc,
                "import json, os, sys\n"
                "print(os.environ['EVALKIT_PAGE'], os.getcwd(), os.getpid(), os.getsid(0),\n"
                "      hasattr(json, 'mark'), 'x' in globals(), "
                "any(m.split('.')[0] == 'evalkit' for m in sys.modules))\n"
                "json.mark = 1; x = 1",
            )
            assert reply["status"] == "ok", reply
            seen.append(text.split())
            await _stop(km, kc)
        return seen

    (a_page, a_cwd, a_pid, a_sid, *a_flags), (b_page, b_cwd, b_pid, *_b) = asyncio.run(main())
    assert (a_page, b_page) == ("a", "b")
    assert a_cwd == b_cwd == str(tmp_path)
    assert a_pid != b_pid and a_sid == a_pid  # own session and process group
    # Nothing set in a's kernel (a module attribute, a global) is in b's; no evalkit module.
    assert a_flags == ["False", "False", "False"]
    assert _b[-3:] == ["False", "False", "False"]


def test_a_kernel_talks_over_its_own_unix_sockets_removed_at_shutdown(zygote, tmp_path):
    # No TCP port (chosen free, released, bound later: another process may take it
    # meanwhile and the kernel dies at start); sockets in a private folder of its own.
    _z, env = zygote

    async def main():
        km, kc = await _start(env, tmp_path)
        info = km.get_connection_info()
        folder = km.socket_folder
        sockets = sorted(p.name for p in Path(folder).iterdir())
        mode = os.stat(folder).st_mode & 0o777
        text, reply = await _run(kc, "print(6 * 7)")
        await _stop(km, kc)
        return info, folder, sockets, mode, text, reply

    info, folder, sockets, mode, text, reply = asyncio.run(main())
    assert info["transport"] == "ipc"
    assert info["ip"] == os.path.join(folder, "k")
    assert os.path.dirname(folder) == os.path.dirname(_z.address)  # removed with the zygote
    assert sockets == ["k-1", "k-2", "k-3", "k-4", "k-5"]
    assert mode == 0o700
    assert reply["status"] == "ok" and text == "42\n"
    assert not Path(folder).exists()  # removed with the kernel


def test_closing_the_zygote_removes_the_socket_folders_of_its_kernels(zygote):
    # A kernel whose manager never shuts it down (its worker was killed) leaves no folder.
    km = fk.ForkKernelManager(kernel_name="python3")
    km._use_private_sockets()
    assert km.transport == "ipc" and Path(km.socket_folder).is_dir()
    fk.close_zygote()
    assert not Path(km.socket_folder).exists()


def test_a_socket_folder_too_long_for_a_socket_path_keeps_tcp(tmp_path, monkeypatch):
    deep = tmp_path / ("d" * 90)
    deep.mkdir()
    monkeypatch.setattr(fk, "_zygote", None)
    monkeypatch.setattr(fk.tempfile, "tempdir", str(deep))
    km = fk.ForkKernelManager(kernel_name="python3")
    km._use_private_sockets()
    assert km.transport == "tcp" and km.socket_folder is None
    assert list(deep.iterdir()) == []  # the folder made is gone again


def test_interrupt_stops_a_running_cell_and_the_kernel_goes_on(zygote, tmp_path):
    _z, env = zygote

    async def main():
        km, kc = await _start(env, tmp_path)
        # stop_on_error=False: after a failed cell ipykernel otherwise aborts the requests
        # that reach it while it is still stopping, and on a loaded machine the next
        # cell's can (one run saw it come back "aborted").
        msg_id = kc.execute("import time\nwhile True: time.sleep(0.01)", stop_on_error=False)
        await asyncio.sleep(1.0)
        await km.interrupt_kernel()
        reply = await kc.get_shell_msg(timeout=30)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = await kc.get_shell_msg(timeout=30)
        # The next cell computes a value; the kernel sends its result in the reply's
        # user_expressions. (Its stdout would travel on IOPub, where ipykernel may
        # flush a stream after the cell's idle status on a loaded machine: one CI
        # run saw print('alive') come back empty with status "ok".)
        ok = await kc.execute_interactive(
            "after = 'ali' + 've'", user_expressions={"after": "after"}, timeout=60
        )
        await _stop(km, kc)
        return reply["content"], ok["content"]

    interrupted, ok = asyncio.run(main())
    assert interrupted["status"] == "error" and interrupted["ename"] == "KeyboardInterrupt"
    assert ok["status"] == "ok"
    assert ok["user_expressions"]["after"]["data"]["text/plain"] == "'alive'"


def test_kill_ends_the_kernel_and_its_children(zygote, tmp_path):
    _z, env = zygote

    async def main():
        km, kc = await _start(env, tmp_path)
        text, _ = await _run(
            kc,
            "import subprocess, os\n"
            "p = subprocess.Popen(['sleep', '300'])\n"
            "print(os.getpid(), p.pid)",
        )
        kernel, child = (int(x) for x in text.split())
        kc.stop_channels()
        await km.shutdown_kernel(now=True)  # SIGKILL to the kernel's process group
        return kernel, child, await km.is_alive()

    kernel, child, alive = asyncio.run(main())
    assert not alive
    assert _gone(kernel) and _gone(child)


def test_a_dead_zygote_takes_its_kernels_along_and_later_kernels_launch_normally(zygote, tmp_path):
    z, env = zygote

    async def main():
        km, kc = await _start(env, tmp_path)
        text, _ = await _run(kc, "import os; print(os.getpid())")
        pid = int(text)
        z.proc.kill()
        z.proc.wait()
        assert _gone(pid)  # PR_SET_PDEATHSIG: no orphaned kernel
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return await _start_and_answer(env, tmp_path)

    process, text = asyncio.run(main())
    assert isinstance(process, subprocess.Popen)  # fell back to the normal launch
    assert text.strip() == "42"


def test_another_interpreter_environment_or_folder_is_launched_normally(zygote, tmp_path):
    z, env = zygote
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"]
    assert z.accepts(cmd, dict(env, EVALKIT_PAGE="x", JPY_PARENT_PID="1"), str(tmp_path))
    assert not z.accepts(cmd, dict(env, PYTHONHASHSEED="1"), str(tmp_path))
    assert not z.accepts(cmd, dict(env, OMP_NUM_THREADS="3"), str(tmp_path))
    assert not z.accepts(cmd, env, str(tmp_path.parent))
    assert not z.accepts(["/other/python", *cmd[1:]], env, str(tmp_path))
    assert not z.accepts([sys.executable, "-m", "other_kernel", "-f", "k.json"], env, str(tmp_path))


def test_closing_the_zygote_waits_for_it(zygote):
    z, _env = zygote
    fk.close_zygote()
    assert z.proc.returncode == 0  # exited on end of requests, and was waited for
    assert fk._zygote is None


def _tiny_notebook(path, code: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "P"}
    nb.cells.append(nbformat.v4.new_code_cell(code))
    nbformat.write(nb, path)


def test_pipeline_task_runs_in_a_forked_kernel_without_log_noise(tmp_path):
    """execute_task forks its kernel; the kernel (and zygote) print no log line."""
    src = tmp_path / "tiny.ipynb"
    _tiny_notebook(src, "import os\nprint(os.environ['EVALKIT_PAGE'])")
    code = (
        "import json, sys; from evalkit.run import execute, forkkernel\n"
        "task = dict(name='tiny', template=sys.argv[1], output=sys.argv[2], params={}, "
        "cwd=sys.argv[3], env={'EVALKIT_PAGE': 'tiny', 'PYTHONHASHSEED': '0'})\n"
        "res = execute.execute_task(task); forkkernel.close_zygote()\n"
        "print(json.dumps(res))"
    )
    env = {k: v for k, v in os.environ.items() if k != "EVALKIT_FORK_KERNELS"}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(src), str(tmp_path / "out.ipynb"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    res = __import__("json").loads(proc.stdout.strip().splitlines()[-1])
    assert res["ok"] and res["kernel"] == "forked", res
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[-1].outputs[0]["text"] == "tiny\n"
    assert "IPKernelApp" not in proc.stderr and "encryption" not in proc.stderr, proc.stderr
    assert proc.stderr.strip() == "", proc.stderr


def test_a_cell_timeout_fails_the_notebook_and_the_next_one_runs(tmp_path):
    """papermill's execution timeout kills a stuck forked kernel; the worker goes on."""
    stuck, fine = tmp_path / "stuck.ipynb", tmp_path / "fine.ipynb"
    _tiny_notebook(stuck, "import time\ntime.sleep(600)")
    _tiny_notebook(fine, "print('ok')")
    code = (
        "import json, sys, time, papermill as pm\n"
        "from evalkit.run import execute, forkkernel as fk\n"
        "fk.use_zygote(dict(__import__('os').environ), sys.argv[3])\n"
        "t = time.monotonic(); err = ''\n"
        "try:\n"
        "    pm.execute_notebook(sys.argv[1], sys.argv[1] + '.out', progress_bar=False,\n"
        "        execution_timeout=3, extra_arguments=execute.KERNEL_ARGUMENTS, cwd=sys.argv[3],\n"
        "        kernel_manager_class=fk.ForkKernelManager)\n"
        "except Exception as e:\n"
        "    err = type(e).__name__ + ': ' + str(e)\n"
        "took = time.monotonic() - t\n"
        "pm.execute_notebook(sys.argv[2], sys.argv[2] + '.out', progress_bar=False,\n"
        "    extra_arguments=execute.KERNEL_ARGUMENTS, cwd=sys.argv[3],\n"
        "    kernel_manager_class=fk.ForkKernelManager)\n"
        "forked = fk.launches['forked']; fk.close_zygote()\n"
        "print(json.dumps({'err': err, 'took': took, 'forked': forked}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(stuck), str(fine), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=240,
        env=dict(os.environ, PYTHONHASHSEED="0"),
    )
    assert proc.returncode == 0, proc.stderr
    res = __import__("json").loads(proc.stdout.strip().splitlines()[-1])
    assert "timed out" in res["err"].lower() or "Timeout" in res["err"], res
    assert res["took"] < 120  # not the cell's 600 s
    assert res["forked"] == 2
    out = nbformat.read(str(fine) + ".out", as_version=4)
    assert out.cells[-1].outputs[0]["text"] == "ok\n"


def test_a_zygote_that_fails_to_start_is_not_used(tmp_path):
    fk.close_zygote()
    z = fk.Zygote(dict(os.environ), str(tmp_path), preload=("evalkit_no_such_module",))
    assert not z.ok and z.proc.returncode not in (None, 0)
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"]
    assert not z.accepts(cmd, dict(os.environ), str(tmp_path))


def test_a_failed_fork_falls_back_to_the_normal_launch(zygote, tmp_path, monkeypatch):
    z, env = zygote

    def broken(*_a):
        raise BrokenPipeError("zygote gone")

    monkeypatch.setattr(z, "fork", broken)
    before = dict(fk.launches)

    process, text = asyncio.run(_start_and_answer(env, tmp_path))
    assert isinstance(process, subprocess.Popen) and text.strip() == "42"
    assert fk.launches["launched"] == before["launched"] + 1
    assert fk.launches["forked"] == before["forked"]


def test_the_nbval_plugins_zygote_forks_for_the_report_folders_only(tmp_path):
    import types

    import nbval_fork

    z = object.__new__(nbval_fork.ReportsZygote)  # its checks only: no process
    z.env, z.cwd, z.ok = {"A": "1"}, str(nbval_fork.REPORT_FOLDERS.parent), True
    z.per_kernel = fk.zyg.PER_KERNEL_ENV
    z.proc = types.SimpleNamespace(poll=lambda: None)
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", "kernel.json"]
    year = str(nbval_fork.REPORT_FOLDERS / "2024")
    assert z.accepts(cmd, {"A": "1"}, year)
    assert not z.accepts(cmd, {"A": "1"}, str(tmp_path))  # not a report folder
    assert not z.accepts(cmd, {"A": "2"}, year)  # another environment
    assert not z.accepts(["python3", *cmd[1:]], {"A": "1"}, year)  # another interpreter


def _tasks(tmp_path, names) -> list[dict]:
    """Tasks for execute_all: tiny notebooks printing their page, kernel parent and cwd."""
    tasks = []
    for name in names:
        src = tmp_path / f"{name}.ipynb"
        _tiny_notebook(src, "import os\nprint(os.environ['EVALKIT_PAGE'], os.getppid())")
        tasks.append(
            dict(
                name=name,
                template=str(src),
                output=str(tmp_path / "out" / f"{name}.ipynb"),
                params={},
                cwd=str(tmp_path),
                env={"EVALKIT_PAGE": name, "PYTHONHASHSEED": "0"},
            )
        )
    (tmp_path / "out").mkdir()
    return tasks


def _printed(task) -> list[str]:
    return nbformat.read(task["output"], as_version=4).cells[-1].outputs[0]["text"].split()


def test_a_runs_workers_fork_every_kernel_from_the_runs_one_zygote(tmp_path, monkeypatch):
    """execute_all starts one zygote for its two workers and stops it when they are done."""
    from evalkit.run import zygote as zyg

    started = []

    def start_shared(*a, **kw):
        started.append(real(*a, **kw))
        return started[-1]

    real = zyg.start_shared
    monkeypatch.setattr(zyg, "start_shared", start_shared)
    monkeypatch.setattr(execute, "FORK_KERNELS", True)
    tasks = _tasks(tmp_path, ["a", "b", "c", "d"])
    results = execute.execute_all(tasks, 2, out=lambda s: None)
    assert all(r["ok"] and r["kernel"] == "forked" for r in results), results
    (z,) = started
    assert {r["zygote"] for r in results} == {z.proc.pid}, results
    for task in tasks:  # each kernel is a child of that zygote, with its own page
        assert _printed(task) == [task["name"], str(z.proc.pid)]
    # Stopped and waited for once the workers were done; its socket's folder removed.
    assert z.proc.returncode == 0 and not Path(z.folder).exists()


def test_a_run_whose_zygote_fails_launches_its_kernels_normally(tmp_path, monkeypatch):
    """A shared zygote that cannot import its modules: every notebook still runs, at once."""
    from evalkit.run import preload

    monkeypatch.setattr(execute, "FORK_KERNELS", True)
    monkeypatch.setattr(preload, "preload_for", lambda _t: ("evalkit_no_such_module",))
    tasks = _tasks(tmp_path, ["a", "b"])
    started = time.monotonic()
    results = execute.execute_all(tasks, 2, out=lambda s: None)
    assert all(r["ok"] and r["kernel"] == "launched" for r in results), results
    assert [_printed(t)[0] for t in tasks] == ["a", "b"]
    assert time.monotonic() - started < fk.zyg.START_TIMEOUT  # no wait for a dead zygote


def test_workers_and_kernels_take_the_runs_environment_of_each_run(tmp_path, monkeypatch):
    """Workers come from a fork server: each run's kernels still see that run's environment.

    Their thread settings too: one thread per numerical library when the run's environment
    sets none (the first run); none set when it sets one itself (the second run, 3).
    """
    monkeypatch.setattr(execute, "FORK_KERNELS", True)
    for name in execute.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    seen = []
    for run, mark in enumerate(("first", "second")):
        monkeypatch.setenv("EVALKIT_TEST_MARK", mark)
        if run == 1:
            monkeypatch.setenv("OMP_NUM_THREADS", "3")
        folder = tmp_path / str(run)
        folder.mkdir()
        src = folder / "mark.ipynb"
        _tiny_notebook(
            src,
            "import os\nprint(os.environ['EVALKIT_TEST_MARK'], os.getppid(), "
            "os.environ.get('OMP_NUM_THREADS'), os.environ.get('OPENBLAS_NUM_THREADS'))",
        )
        task = dict(
            name="mark",
            template=str(src),
            output=str(folder / "out.ipynb"),
            params={},
            cwd=str(folder),
            env={"EVALKIT_PAGE": "mark", "PYTHONHASHSEED": "0"},
        )
        (result,) = execute.execute_all([task], 1, out=lambda s: None)
        assert result["ok"] and result["kernel"] == "forked", result
        seen.append(_printed(task))
    assert [s[0] for s in seen] == ["first", "second"]
    assert seen[0][1] != seen[1][1]  # each run forked from its own zygote
    assert seen[0][2:] == ["1", "1"] and seen[1][2:] == ["3", "None"]


def test_a_widened_per_kernel_set_reaches_the_workers(tmp_path, monkeypatch):
    """A run whose per-kernel variables were widened here (as nbval_fork does) still forks.

    The workers import the zygote module afresh, with the default set: the handle
    carries the run's, or every kernel would launch normally (seen under ``make test``).
    """
    from evalkit.run import zygote as zyg

    monkeypatch.setattr(zyg, "PER_KERNEL_ENV", zyg.PER_KERNEL_ENV | {"PYTEST_CURRENT_TEST"})
    monkeypatch.setattr(execute, "FORK_KERNELS", True)
    tasks = _tasks(tmp_path, ["a"])
    (result,) = execute.execute_all(tasks, 1, out=lambda s: None)
    assert result["ok"] and result["kernel"] == "forked", result
