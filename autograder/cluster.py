"""Grade a class on a Dask cluster (``grade-all --scheduler``): one task per submission.

A task runs, on a worker, the very function that grades one submission locally
(``grade_all._grade_one``: a grader process per submission, in the same sandbox),
into a scratch folder of the worker, and sends the report files back; this client
writes them into ``OUT/<name>/`` atomically, results.json last, where ``--jobs N``
puts them. Workers need this package installed, identical to the client's (a task
refuses to grade with other grader files or another grading.toml), and must see the
submissions at the paths the client gives (a shared filesystem).

A task that fails outside the grader, normally because its worker died, is sent
again at most ``[class] worker_retries`` times; then the submission becomes a row
with the reason. Only ``grade-all --scheduler`` imports this module, hence Dask.
"""

import hashlib
import socket
import sys
import tempfile
import uuid
from functools import cache
from pathlib import Path

from tqdm import tqdm

from . import grade_all, paths
from .names import PACKAGE
from .report import results_json
from .report.files import atomic_write

try:
    from distributed import Client, as_completed
except ImportError as missing:
    raise ImportError(f"grade-all --scheduler needs Dask ({missing}): install the cluster "
                      "extra, pip install 'rnn-captioning-assignment[cluster]'") from missing

CONNECT_SECONDS = 30
GRADER_PACKAGES = ("autograder", "solutions", PACKAGE, "captiondata")


def grade_on_cluster(entries, out_dir, options, scheduler, retries, progress=True):
    """Grade submissions on the Dask cluster of ``scheduler``; write their reports here.

    Parameters
    ----------
    entries : dict of str to Path
        Name -> submission (folder or file), as ``grade_all.submissions_in`` gives them.
    out_dir : Path
        Receives ``<name>/`` per submission.
    options : list of str
        Options of ``python -m autograder grade`` (``--runner``, ``--items``).
    scheduler : str
        The scheduler's address, e.g. ``tcp://10.0.0.5:8786``.
    retries : int
        How many times a submission is sent again after its task failed (worker died).
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    list of autograder.grade_all.Row
        One per submission, in the order they finished.

    Raises
    ------
    ConnectionError
        When no scheduler answers at ``scheduler``.
    """
    if not entries:
        return []
    fingerprint = installation_digest()
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except OSError as error:
        raise ConnectionError(f"no Dask scheduler answered at {scheduler} ({error}): start one "
                              "(`dask scheduler`) and its workers, or check the address") from None
    rows, failures, names = [], {}, {}

    def send(name):
        future = client.submit(grade_on_worker, name, str(entries[name].resolve()), options,
                               fingerprint, key=f"grade-{name}-{uuid.uuid4().hex[:12]}",
                               pure=False)
        names[future.key] = name
        return future

    with client, tqdm(total=len(entries), desc=f"grading on {scheduler}", unit="submission",
                      file=sys.stderr, disable=not progress) as bar:
        pending = as_completed([send(name) for name in entries])
        for future in pending:
            name = names.pop(future.key)
            try:
                row, worker_out, files = future.result()
            except Exception as error:  # noqa: BLE001 - a lost task must not lose the class
                failures[name] = failures.get(name, 0) + 1
                if failures[name] <= retries:
                    pending.add(send(name))
                    continue
                row, worker_out, files = grade_all.Row(name=name, error=(
                    f"not graded: {_attempts(failures[name])} on the cluster failed (last: "
                    f"{type(error).__name__}: {error}); see the workers' logs, then grade the "
                    "class again with --resume")), "", {}
            rows.append(_deliver(row, worker_out, files, out_dir / name))
            bar.update()
    return rows


def grade_on_worker(name, entry, options, fingerprint):
    """The task of one submission, run on a worker: grade it in a scratch folder.

    Parameters
    ----------
    name : str
    entry : str
        The submission's path, as the client sees it.
    options : list of str
    fingerprint : str
        The client's :func:`installation_digest`.

    Returns
    -------
    row : autograder.grade_all.Row
    worker_out : str
        The scratch folder the reports were written into (named in ``row.error``).
    files : dict of str to bytes
        File name -> content of every report file.

    Raises
    ------
    FileNotFoundError
        When this worker cannot see the submission.
    RuntimeError
        When this worker's grader differs from the client's.
    """
    host = socket.gethostname()
    if installation_digest() != fingerprint:
        raise RuntimeError(f"the worker on {host} has other grader files or another "
                           "grading.toml than the client: install the same version everywhere")
    entry = Path(entry)
    if not entry.exists():
        raise FileNotFoundError(f"the worker on {host} cannot see {entry}: give every worker "
                                "the submissions at the path the client uses (shared filesystem)")
    with tempfile.TemporaryDirectory(prefix="autograder-task-",
                                     ignore_cleanup_errors=True) as scratch:
        out = Path(scratch) / name
        row = grade_all._grade_one(name, entry, out, options, grade_all._environment())
        files = {path.name: path.read_bytes() for path in out.iterdir() if path.is_file()}
    return row, str(out), files


@cache
def installation_digest():
    """Hex SHA-256 of the grader's Python files and grading.toml: equal on equal installs."""
    sha = hashlib.sha256()
    root = paths.REPO_ROOT
    sources = [path for package in GRADER_PACKAGES for path in (root / package).rglob("*.py")]
    for path in sorted(sources) + [paths.GRADING_TOML]:
        for part in (path.relative_to(root).as_posix().encode(), path.read_bytes()):
            sha.update(len(part).to_bytes(8, "big"))
            sha.update(part)
    return sha.hexdigest()


def _attempts(count):
    """``"1 attempt"``, ``"3 attempts"``."""
    return f"{count} attempt" + ("s" if count > 1 else "")


def _deliver(row, worker_out, files, out):
    """Write a task's report files into ``out`` (results.json last); return its row.

    A row's error names files of the worker's scratch folder; it names ``out`` instead.
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / results_json.FILE_NAME).unlink(missing_ok=True)
    for file_name in sorted(files, key=lambda file_name: file_name == results_json.FILE_NAME):
        atomic_write(out / Path(file_name).name, files[file_name])
    if row.error and worker_out:
        row.error = row.error.replace(worker_out, str(out))
    return row
