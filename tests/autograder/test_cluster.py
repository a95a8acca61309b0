"""grade-all on a real Dask cluster (a scheduler and workers as processes on 127.0.0.1),
``--resume``, and local grading that never imports Dask."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from autograder import grade_all
from autograder.items import mistakes

from support.submissions import reference_submission, stub_submission, write_files, zip_folder

ITEMS = ["rnn_step_forward", "rnn_step_backward", "word_embedding_forward"]
MUTANTS = ("rnn_step_no_bias", "dWh_transposed", "embedding_forward_reshaped")
START_SECONDS = 60


def write_class(folder):
    """Seven submissions: the reference as a folder and as a zip, the stubs, three mutants
    of the mistake catalogue and a zip that is not one."""
    reference_submission(folder / "reference")
    zip_folder(folder / "reference", folder / "zipped.zip")
    stub_submission(folder / "stubs")
    catalogue = {mistake.name: mistake for mistake in mistakes.MISTAKES}
    for name in MUTANTS:
        sources = mistakes.mutated_sources(catalogue[name])
        write_files(folder / name, {file: text.encode() for file, text in sources.items()})
    (folder / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip archive")
    return folder


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A Dask scheduler and named workers, each a process group of its own."""

    def __init__(self, folder):
        self.folder, self.workers = folder, {}
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        # The scheduler reports a task whose worker died at once: the grader's own
        # [class] worker_retries then decides what happens to it.
        environment = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
        self.scheduler = self._start("scheduler", [
            sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
            "--port", self.address.rsplit(":", 1)[1], "--no-dashboard"], environment)
        from distributed import Client  # the cluster extra; local grading never needs it

        self.client = Client(self.address, timeout=START_SECONDS)

    def _start(self, name, command, environment=None):
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - kept by the process
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=environment,
                                start_new_session=True)

    def add_worker(self, name):
        """Start a one-thread worker named ``name`` and wait until the scheduler has it."""
        self.workers[name] = self._start(name, [
            sys.executable, "-m", "distributed.cli.dask_worker", self.address, "--name", name,
            "--nthreads", "1", "--no-nanny", "--no-dashboard"])
        deadline = time.monotonic() + START_SECONDS
        while name not in self.worker_names().values():
            assert time.monotonic() < deadline, f"worker {name} did not register in time"
            time.sleep(0.1)

    def worker_names(self):
        """Address -> name of every worker the scheduler knows."""
        return {address: info["name"]
                for address, info in self.client.scheduler_info()["workers"].items()}

    def busy_names(self, worker):
        """The submissions whose tasks the worker named ``worker`` holds now."""
        addresses = [address for address, name in self.worker_names().items() if name == worker]
        keys = [key for address in addresses for key in self.client.processing(address)[address]]
        return [key.removeprefix("grade-").rsplit("-", 1)[0] for key in keys]

    def kill_worker_when_busy(self, worker, out_dir=None, timeout=120):
        """SIGKILL a worker's process group while it grades, once ``out_dir`` holds a result.

        Returns
        -------
        list of str
            The submissions the worker was grading when it was killed.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            started = out_dir is None or any(out_dir.glob("*/results.json"))
            busy = self.busy_names(worker) if started else []
            if busy:
                os.killpg(self.workers[worker].pid, signal.SIGKILL)
                self.workers[worker].wait()
                return busy
            time.sleep(0.02)
        raise AssertionError(f"worker {worker} was never seen grading")

    def close(self):
        self.client.close()
        for process in [*self.workers.values(), self.scheduler]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers, ``a`` and ``b``."""
    pytest.importorskip("distributed", reason="needs pip install -e '.[cluster]'")
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        running.add_worker("a")
        running.add_worker("b")
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def students(tmp_path_factory):
    """The class of :func:`write_class`."""
    return write_class(tmp_path_factory.mktemp("class"))


@pytest.fixture(scope="module")
def graded_here(students, tmp_path_factory, settings):
    """The class graded on this machine with --jobs 1: its output folder."""
    out = tmp_path_factory.mktemp("local")
    grade_all.grade_all(students, out, settings, jobs=1, items=ITEMS, progress=False)
    return out


def _gradebook(out):
    return (out / "gradebook.csv").read_text(encoding="utf-8")


def _timeless_results(folder):
    """A results.json without what depends on timing: execution times and the summary."""
    document = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    for test in document["tests"]:
        del test["extra_data"]
    return {key: value for key, value in document.items()
            if key not in ("execution_time", "output")}


def test_a_killed_worker_loses_no_submission(cluster, students, graded_here, tmp_path):
    out = tmp_path / "out"
    start = time.perf_counter()
    command = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade-all", str(students), "--out", str(out),
         "--items", ",".join(ITEMS), "--scheduler", cluster.address],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lost = cluster.kill_worker_when_busy("a", out)
    stdout, stderr = command.communicate(timeout=300)
    print(f"graded {len(grade_all.submissions_in(students))} submissions on the cluster in "
          f"{time.perf_counter() - start:.1f} s; worker a was killed grading {lost}")
    assert command.returncode == 0, stderr
    assert "7 submissions, 6 graded, 1 could not be graded" in stdout  # the broken zip
    assert _gradebook(out) == _gradebook(graded_here)
    for name in grade_all.submissions_in(students):
        assert _timeless_results(out / name) == _timeless_results(graded_here / name), name
    assert (out / "reference" / "report.md").read_text().startswith("# Grading report")


def test_a_submission_whose_worker_dies_too_often_is_recorded_with_the_reason(
        cluster, students, settings_with, tmp_path):
    cluster.add_worker("c")
    no_retries = settings_with(grading=dict(worker_retries=0))
    rows = {}
    grading = threading.Thread(target=lambda: rows.update(
        (row.name, row) for row in grade_all.grade_all(
            students, tmp_path, no_retries, items=ITEMS, progress=False,
            scheduler=cluster.address)))
    grading.start()
    cluster.kill_worker_when_busy("c")
    grading.join(timeout=300)
    assert set(rows) == set(grade_all.submissions_in(students))
    killed = "not graded: 1 attempt on the cluster failed (last: KilledWorker"
    lost = sorted(name for name, row in rows.items() if (row.error or "").startswith(killed))
    assert lost, "the killed worker's submission was graded anyway"
    for name, row in rows.items():
        if name in lost:
            assert not (tmp_path / name / "results.json").exists()
        else:
            # graded; the broken zip is graded too, as a row that says why it scores nothing
            assert (row.error is None) != (name == "broken"), row.error
            assert (tmp_path / name / "results.json").exists()
    lines = _gradebook(tmp_path).splitlines()
    assert [line.split(",")[0] for line in lines if "1 attempt on the cluster failed" in line] == lost


def test_a_worker_refuses_another_grader_and_submissions_it_cannot_see(cluster, students):
    from autograder import cluster as cluster_grading

    task = cluster_grading.grade_on_worker
    with pytest.raises(RuntimeError, match="other grader files or another grading.toml"):
        cluster.client.submit(task, "reference", str(students / "reference"), [], "0" * 64,
                              pure=False).result()
    with pytest.raises(FileNotFoundError, match="cannot see .*nowhere: give every worker"):
        cluster.client.submit(task, "nowhere", str(students / "nowhere"), [],
                              cluster_grading.installation_digest(), pure=False).result()


def test_resume_grades_only_what_changed(students, graded_here, settings, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded_here, out)
    kept = {name: (out / name / "results.json").stat().st_mtime_ns
            for name in grade_all.submissions_in(students)}
    changed = tmp_path / "class"
    shutil.copytree(students, changed)
    write_files(changed / "stubs", {"rnn_layers.py": (students / "reference" /
                                                      "rnn_layers.py").read_bytes()})
    rows = {row.name: row for row in grade_all.grade_all(
        changed, out, settings, jobs=1, items=ITEMS, progress=False, resume=True)}
    for name, written in kept.items():
        regraded = (out / name / "results.json").stat().st_mtime_ns != written
        assert regraded == (name == "stubs"), name
    assert rows["stubs"].scores["rnn_step_forward"] == settings.points["rnn_step_forward"]
    before, after = (_gradebook(folder).splitlines() for folder in (graded_here, out))
    changed_rows = [number for number, line in enumerate(after) if line != before[number]]
    assert [after[number].split(",")[0] for number in changed_rows] == ["stubs"]


def test_local_grading_never_imports_dask(tmp_path):
    reference_submission(tmp_path / "class" / "reference")
    program = ("import sys\n"
               "from autograder import cli\n"
               f"code = cli.main(['grade-all', {str(tmp_path / 'class')!r}, '--out', "
               f"{str(tmp_path / 'out')!r}, '--items', 'rnn_step_forward'])\n"
               "print(code, sorted(name for name in sys.modules\n"
               "                   if name.split('.')[0] in ('dask', 'distributed')))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parent)
    assert done.stdout.splitlines()[-1] == "0 []"
