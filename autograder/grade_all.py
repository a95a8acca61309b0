"""Grade a folder of submissions into a gradebook, each in its own grader process.

Every entry of the folder (a sub-folder or a file, normally a ``.zip``) is one
submission, graded by ``python -m autograder grade`` into ``OUT/<name>/``. A
grader process per submission means that nothing one submission does, not even
crashing its grader, can lose another's grade: a failed grading becomes a row
with the reason.
"""

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

import autograder

from . import arguments, config
from . import resume as resume_module
from .answers import manual
from .answers.questions import written_questions
from .grade import NOTHING_TO_RUN
from .report import gradebook, results_json, written

LOG_FILE = "grader.log"


@dataclass
class Row:
    """One submission's line of the gradebook.

    Attributes
    ----------
    name : str
        The entry's name (a zip without its ``.zip``), also its output folder's name.
    scores : dict of str to float
        Item name -> points earned.
    written : dict of str to float
        Written question -> points given by hand (from the manual-scores CSV).
    problems : list of str
        Problems with the submission's files.
    hints : list of str
        Catalogue names (``autograder.items.mistakes``) of the known mistakes its results
        hint at, each once.
    isolation : str
        How its code was isolated (results.json's ``extra_data``).
    error : str or None
        Why it could not be graded at all (its grader process failed, none of its
        graded files could be taken, or the cluster lost it).
    seconds : float
    """

    name: str
    scores: dict = field(default_factory=dict)
    written: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    hints: list = field(default_factory=list)
    isolation: str = ""
    error: str | None = None
    seconds: float = 0.0

    @property
    def total(self):
        """Sum of the item scores and of the written questions' scores."""
        return sum(self.scores.values()) + sum(self.written.values())


def submissions_in(folder, exclude=()):
    """The submissions of a folder and the output name of each.

    Parameters
    ----------
    folder : path-like
    exclude : sequence of path-like
        Entries to leave out (e.g. the output folder when it is inside ``folder``).

    Returns
    -------
    dict of str to Path
        Name -> entry, sorted by name; hidden entries and ``__MACOSX`` are left
        out; ``alice.zip`` is named ``alice`` unless an ``alice`` entry exists too.
    """
    skipped = {Path(path).resolve() for path in exclude}
    entries = sorted(path for path in Path(folder).iterdir()
                     if not path.name.startswith(".") and path.name != "__MACOSX"
                     and path.resolve() not in skipped)
    taken = {path.name for path in entries}
    named = {}
    for path in entries:
        short = path.stem if path.suffix.lower() == ".zip" and path.is_file() else path.name
        named[short if short == path.name or short not in taken else path.name] = path
    return dict(sorted(named.items()))


def grade_all(folder, out_dir, settings=None, jobs=None, runner="sandbox", items=None,
              progress=True, manual_scores=None, scheduler=None, resume=False):
    """Grade every submission of ``folder`` and write the class reports into ``out_dir``.

    Parameters
    ----------
    folder : path-like
        Holds one entry per submission.
    out_dir : path-like
        Receives ``<name>/`` per submission, ``gradebook.csv``, ``summary.md`` and
        ``histogram.png``; created if needed.
    settings : autograder.config.Settings or None
        None: ``config.load()``.
    jobs : int or None
        Submissions graded at the same time; None: ``settings.grading.jobs``.
    runner : {'sandbox', 'inprocess'}
    items : sequence of str or None
        Grade only these items; None: all.
    progress : bool
        Show on stderr a progress bar with the submissions being graded and the
        time left.
    manual_scores : path-like or None
        The filled-in manual-scores CSV of the written questions (see
        :mod:`autograder.answers.manual`), checked before anything is graded
        and merged into the gradebook and every graded student's reports.
    scheduler : str or None
        Address of a Dask scheduler whose workers grade the submissions instead of this
        machine (see :mod:`autograder.cluster`; ``jobs`` is then unused); None: grade here.
    resume : bool
        Keep the results in ``out_dir`` of submissions whose files have not changed since
        (see :mod:`autograder.resume`) instead of grading them again.

    Returns
    -------
    list of Row
        One per submission, in name order.

    Raises
    ------
    autograder.arguments.ArgumentError
        A ValueError, before anything is graded: when ``jobs`` is below 1, ``runner`` or
        an item unknown, ``folder`` not a folder or ``out_dir`` not writable.
    autograder.answers.manual.ManualScoresError
        When ``manual_scores`` names an unknown student or question, or gives a
        score outside a question's points.
    OSError
        When ``folder`` cannot be listed or the class reports written.
    ImportError, ConnectionError
        With ``scheduler``: when Dask is not installed or the scheduler does not answer.
    """
    settings = settings or config.load()
    jobs = arguments.jobs(jobs, settings)
    runner = arguments.runner(runner)
    if items is not None:
        items = arguments.items(items, settings)
    folder = arguments.folder(folder, "a folder of submissions")
    out_dir = arguments.output_folder(out_dir)
    entries = submissions_in(folder, exclude=[out_dir])
    questions = written_questions() if manual_scores is not None else []
    given = manual.read_scores(manual_scores, questions, entries) if questions else {}
    options = ["--runner", runner, "--quiet"] + (["--items", ",".join(items)] if items else [])
    kept = resume_module.unchanged(entries, out_dir, settings) if resume else []
    rows = [read_row(name, out_dir / name) for name in kept]
    entries = {name: entry for name, entry in entries.items() if name not in kept}
    if scheduler is not None:
        from . import cluster  # imports Dask, which local grading never needs

        rows += cluster.grade_on_cluster(entries, out_dir, options, scheduler,
                                         settings.grading.worker_retries, progress)
    else:
        rows += _grade_here(entries, out_dir, options, jobs, progress)
    rows.sort(key=lambda row: row.name)
    for row in rows:
        if questions and row.error is None:
            row.written = given.get(row.name, {})
            written.add_written_scores(out_dir / row.name, questions, row.written)
    gradebook.write_class_reports(rows, out_dir, settings, {
        question.name: question.points for question in questions} if questions else None)
    return rows


def _grade_here(entries, out_dir, options, jobs, progress):
    """Grade ``entries`` on this machine, ``jobs`` at a time; their rows in finishing order."""
    environment = _environment()
    rows = []
    with ThreadPoolExecutor(max_workers=jobs) as pool, \
            tqdm(total=len(entries), desc="grading", unit="submission", file=sys.stderr,
                 disable=not progress) as bar:
        running = _Running(bar)
        futures = [pool.submit(running.track, _grade_one, name, entry, out_dir / name, options,
                               environment)
                   for name, entry in entries.items()]
        for future in as_completed(futures):
            rows.append(future.result())
            bar.update()
    return rows


class _Running:
    """The names of the submissions being graded, shown after the progress bar."""

    def __init__(self, bar):
        self._bar = bar
        self._names = []
        self._lock = threading.Lock()

    def track(self, grade, name, *arguments):
        """``grade(name, *arguments)``, with ``name`` shown while it runs."""
        self._show(lambda: self._names.append(name))
        try:
            return grade(name, *arguments)
        finally:
            self._show(lambda: self._names.remove(name))

    def _show(self, change):
        with self._lock:
            change()
            self._bar.set_postfix_str(", ".join(self._names), refresh=True)


def grade_command(entry, out, options):
    """The command that grades one submission in a process of its own.

    Returns
    -------
    list of str
    """
    return [sys.executable, "-m", "autograder", "grade", str(entry), "--out", str(out), *options]


def _environment():
    """The graders' environment: this one, with this package's parent folder first on
    PYTHONPATH so that ``-m autograder`` finds this very package from any working directory.
    """
    environment = dict(os.environ)
    root = str(Path(autograder.__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [root, environment.get("PYTHONPATH")]))
    return environment


def _grade_one(name, entry, out, options, environment):
    """Grade one submission in a child grader process and read back its row.

    Never raises: a grader that fails or writes no readable results.json gives a
    row with the reason (its stderr is kept in ``out/grader.log``).
    """
    start = time.perf_counter()
    log = out / LOG_FILE
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / results_json.FILE_NAME).unlink(missing_ok=True)
        with open(log, "wb") as stderr:
            code = subprocess.run(grade_command(entry.resolve(), out, options),
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=stderr, env=environment, check=False).returncode
        if code == 0:
            row = read_row(name, out)
        else:
            row = Row(name=name, error=f"the grader {_exit_reason(code)} ({_last_line(log)}); "
                                       f"see {log}")
    except Exception as error:  # noqa: BLE001 - one submission must never lose the others
        row = Row(name=name, error=f"grading failed ({type(error).__name__}: {error}); see {log}")
    row.seconds = time.perf_counter() - start
    return row


def _exit_reason(code):
    """How a grader process ended, for people."""
    return f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"


def _last_line(path):
    """The last non-blank line of a log file, or a note that it is empty."""
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1].strip() if lines else "no error output"


def read_row(name, out):
    """The gradebook row of a submission graded into ``out``, from its results.json.

    The tests of written questions that an earlier grade-all merged in are left out:
    this run merges the scores it is given.

    A submission of which no graded file could be taken (a broken zip, an
    empty folder) is a row that could not be graded, its problems the reason.

    Raises
    ------
    OSError, ValueError, KeyError, TypeError
        When results.json is missing or not what the grader writes.
    """
    document = json.loads((out / results_json.FILE_NAME).read_text(encoding="utf-8"))
    merged = set(document["extra_data"].get(written.MERGED, {"tests": ()})["tests"])
    tests = [test for test in document["tests"] if test["name"] not in merged]
    problems = list(document["extra_data"]["problems"])
    isolation = str(document["extra_data"]["isolation"])
    if tests and all(NOTHING_TO_RUN in test["output"] for test in tests):
        return Row(name=name, problems=problems, isolation=isolation,
                   error="no graded file could be taken: " + " ".join(problems))
    named = [name for test in tests for name in test["extra_data"]["mistakes"]]
    return Row(name=name, scores={test["name"]: float(test["score"]) for test in tests},
               problems=problems, hints=list(dict.fromkeys(named)), isolation=isolation)
