"""Whole gradings of hostile submissions in the sandbox.

Each submission is the reference with one attack appended to its rnn_layers.py. The attack
must earn nothing it did not earn honestly, and the grader, the report and the items the
attack does not touch must stay intact.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder import grade, paths
from autograder.results import Status
from autograder.sandbox import isolation

ITEMS = ("rnn_step_forward", "word_embedding_forward", "lstm_step_forward")
SLEEP_MARKER = "918273"

ATTACKS = {
    # the attacked item, and code appended to the reference rnn_layers.py
    "infinite_loop": ("rnn_step_forward", """
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    while True:
        pass
"""),
    "os_exit_in_function": ("lstm_step_forward", """
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    import os
    os._exit(0)
"""),
    "keyboard_interrupt_in_function": ("word_embedding_forward", """
def word_embedding_forward(x, W):
    raise KeyboardInterrupt
"""),
    "numpy_patched_to_agree": ("rnn_step_forward", """
np.allclose = lambda *args, **kwargs: True
np.max = lambda *args, **kwargs: 0.0
np.testing.assert_allclose = lambda *args, **kwargs: None

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    return np.zeros((x.shape[0], Wh.shape[0])), None
"""),
    "lying_eq": ("word_embedding_forward", """
class _Equal(np.ndarray):
    def __eq__(self, other):
        return True

def word_embedding_forward(x, W):
    return np.zeros((1, 1)).view(_Equal), None
"""),
    "fake_results_printed": ("lstm_step_forward", """
import json as _json, sys as _sys
print(_json.dumps({"score": 100, "tests": []}))
_sys.stdout.flush()

def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    print('{"score": 100}')
    return prev_h, prev_c, None
"""),
    "background_process": ("rnn_step_forward", f"""
import subprocess as _subprocess
_subprocess.Popen(["sleep", "{SLEEP_MARKER}"], start_new_session=True)

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    _subprocess.Popen(["sleep", "{SLEEP_MARKER}"], start_new_session=True)
    return prev_h, None
"""),
}


def _hostile_submission(tmp_path, attack):
    """The reference's two files, with ``attack`` appended to rnn_layers.py."""
    folder = tmp_path / "submission"
    (folder / "classifiers").mkdir(parents=True)
    reference = (paths.SOLUTIONS_DIR / "rnn_layers.py").read_text(encoding="utf-8")
    (folder / "rnn_layers.py").write_text(reference + "\n" + attack, encoding="utf-8")
    model = (paths.SOLUTIONS_DIR / "classifiers" / "rnn.py").read_text(encoding="utf-8")
    (folder / "classifiers" / "rnn.py").write_text(model, encoding="utf-8")
    return folder


def _sleepers():
    """Processes running the marker sleep, on this machine."""
    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if line.startswith(f"sleep {SLEEP_MARKER}")]


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_attack_costs_only_its_item(tmp_path, name):
    attacked, code = ATTACKS[name]
    out = tmp_path / "out"
    result = grade.grade_submission(_hostile_submission(tmp_path, code), out, items=ITEMS)

    scores = {item.name: item.score for item in result.items if item.name in ITEMS}
    assert scores[attacked] == 0
    for item in result.items:
        if item.name in ITEMS and item.name != attacked:
            assert item.passed, (item.name, item.error, [c.detail for c in item.checks])
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert document["score"] == pytest.approx(result.score)
    assert document["score"] == pytest.approx(sum(scores.values()))
    assert (out / "report.md").is_file() and (out / "report.html").is_file()
    assert _sleepers() == []


def _by_name(result):
    return {item.name: item for item in result.items}


def test_destructors_cost_no_grading_time(tmp_path):
    # Every cache the grader drops would sleep 60 s in its __del__.
    code = """
import time as _time

class _SlowCache(tuple):
    def __del__(self):
        _time.sleep(60)

_reference_step = rnn_step_forward

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    next_h, cache = _reference_step(x, prev_h, Wx, Wh, b, use_tanh)
    return next_h, _SlowCache(cache)
"""
    start = time.monotonic()
    result = grade.grade_submission(_hostile_submission(tmp_path, code), tmp_path / "out",
                                    items=("rnn_step_forward", "rnn_step_backward"))
    assert time.monotonic() - start < 60
    items = _by_name(result)
    assert items["rnn_step_forward"].passed and items["rnn_step_backward"].passed


def _grader_tmpdir():
    """A TMPDIR of the grader's own, to find what it leaves behind: under /tmp, since the
    confined mode's uid must enter it (pytest's tmp_path is in a folder only root enters)."""
    scratch = Path(tempfile.mkdtemp(prefix="grader-tmpdir-", dir="/tmp"))
    scratch.chmod(0o711)
    return scratch


def test_the_whole_grading_has_a_time_limit(tmp_path, settings_with, monkeypatch):
    # Each call sleeps within its own limit; together they overrun the grading's.
    code = """
import time as _time

_reference_step = rnn_step_forward

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    _time.sleep(2)
    return _reference_step(x, prev_h, Wx, Wh, b, use_tanh)
"""
    limit = 6.0
    out = tmp_path / "out"
    scratch = _grader_tmpdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    start = time.monotonic()
    result = grade.grade_submission(_hostile_submission(tmp_path, code), out,
                                    settings_with(limits=dict(grading_seconds=limit)),
                                    items=("rnn_step_forward", "rnn_step_backward",
                                           "word_embedding_forward", "lstm_step_forward"))
    elapsed = time.monotonic() - start
    assert elapsed < limit + 15, elapsed
    graded = [item for item in result.items if item.status is not Status.NOT_SELECTED]
    assert [item.name for item in graded] == ["rnn_step_forward", "rnn_step_backward",
                                              "word_embedding_forward", "lstm_step_forward"]
    cut = [item for item in graded if not item.passed]
    assert all("limits.grading_seconds" in item.error for item in cut)
    assert "passed while this item ran" in cut[0].error
    assert "passed before this item started" in cut[-1].error
    tests = json.loads((out / "results.json").read_text(encoding="utf-8"))["tests"]
    assert len(tests) == len(result.items) == 17
    assert "limits.grading_seconds" in (out / "report.md").read_text(encoding="utf-8")
    assert list(scratch.iterdir()) == []  # the staged files and the child's folder
    scratch.rmdir()


def test_an_endless_loop_fails_the_items_built_on_it_at_once(tmp_path):
    code = """
def word_embedding_forward(x, W):
    while True:
        pass
"""
    graded = ("rnn_step_forward", "word_embedding_forward", "word_embedding_backward",
              "loss_rnn", "overfit_rnn")
    start = time.monotonic()
    result = grade.grade_submission(_hostile_submission(tmp_path, code), tmp_path / "out",
                                    items=graded)
    elapsed = time.monotonic() - start
    items = _by_name(result)
    assert items["word_embedding_forward"].stopped == "timeout"
    for name in ("word_embedding_backward", "loss_rnn", "overfit_rnn"):
        assert items[name].error.startswith(
            "not graded: it runs the functions of word_embedding_forward, whose code ran out "
            "of time"), items[name].error
        assert items[name].seconds == 0
    assert items["rnn_step_forward"].passed
    # one item's time limit (a few seconds) and the items that did run, not minutes
    assert elapsed < 60, elapsed


def test_a_training_history_longer_than_the_training_is_refused(tmp_path):
    # The loss makes the solver keep 20 million losses.
    code = """
import sys as _sys

_reference_embedding = word_embedding_forward

def word_embedding_forward(x, W):
    frame = _sys._getframe(1)
    while frame is not None:
        solver = frame.f_locals.get("self")
        if type(solver).__name__ == "CaptioningSolver" and not solver.loss_history:
            solver.loss_history.extend([0.0] * 20_000_000)
        frame = frame.f_back
    return _reference_embedding(x, W)
"""
    result = grade.grade_submission(_hostile_submission(tmp_path, code), tmp_path / "out",
                                    items=("overfit_rnn",))
    item = _by_name(result)["overfit_rnn"]
    assert item.score == 0 and item.loss_history is None
    [check] = item.checks
    assert "holds 20000100 losses, but the solver ran 100 iterations" in check.detail


def test_a_forged_training_reply_is_refused_unread(tmp_path):
    # The child itself is rewritten to answer with a history of 20 million losses.
    code = """
import numpy as _np
from gradersandbox import dispatch as _dispatch

def _forged_train(self, request):
    model = self._object(request["handle"])
    return _np.zeros(20_000_000), {name: _np.asarray(value) for name, value
                                    in model.params.items()}

_dispatch.Dispatcher._op_train = _forged_train
"""
    result = grade.grade_submission(_hostile_submission(tmp_path, code), tmp_path / "out",
                                    items=("overfit_rnn", "rnn_step_forward"))
    items = _by_name(result)
    assert items["rnn_step_forward"].passed
    item = items["overfit_rnn"]
    assert item.score == 0 and item.loss_history is None and not item.grader_traceback
    [check] = item.checks
    assert ("CaptioningSolver.train returned too much: the reply to training was refused unread"
            in check.detail)
    assert "expected the loss history of shape (100,)" in check.detail
    assert "the reply holds arrays of shapes (20000000,)" in check.detail


def test_replies_beyond_the_contracts_shapes_are_refused_and_small_wrong_ones_explained(tmp_path):
    # rnn_forward returns h with a million extra rows; sample returns a million columns;
    # rnn_step_forward returns next_h with one extra row, which the comparison explains.
    code = """
_reference_forward = rnn_forward
_reference_step = rnn_step_forward

def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
    h, cache = _reference_forward(x, h0, Wx, Wh, b, use_tanh)
    return np.zeros((1_000_000, h.shape[2])), cache

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    next_h, cache = _reference_step(x, prev_h, Wx, Wh, b, use_tanh)
    return np.concatenate([next_h, next_h[:1]]), cache
"""
    model = """
_reference_sample = CaptioningRNN.sample

def _long_sample(self, features, max_length=30):
    return np.zeros((features.shape[0], 1_000_000), dtype=np.int64)

CaptioningRNN.sample = _long_sample
"""
    folder = _hostile_submission(tmp_path, code)
    with open(folder / "classifiers" / "rnn.py", "a", encoding="utf-8") as file:
        file.write(model)
    result = grade.grade_submission(folder, tmp_path / "out",
                                    items=("rnn_forward", "rnn_step_forward", "sample_rnn",
                                           "word_embedding_forward"))
    items = _by_name(result)
    assert items["word_embedding_forward"].passed
    for name in ("rnn_forward", "sample_rnn", "rnn_step_forward"):
        assert items[name].score == 0 and not items[name].grader_traceback, name
    [forward] = [check for check in items["rnn_forward"].checks if "random inputs" in check.name]
    assert "rnn_forward returned too much: the reply to rnn_layers.rnn_forward was refused" \
        in forward.detail
    assert "expected h of shape (" in forward.detail and "the reply holds arrays of shapes " \
        "(1000000, " in forward.detail
    for check in items["sample_rnn"].checks:
        assert "expected captions of shape (" in check.detail, check.detail
        assert ", 1000000)" in check.detail, check.detail
    step = items["rnn_step_forward"].checks[-1]
    assert "refused" not in step.detail and "shape" in step.detail, step.detail


def test_a_forged_training_reply_is_the_students_fault(tmp_path):
    # The child answers the training with a dict where the loss history belongs.
    code = """
import numpy as _np
from gradersandbox import dispatch as _dispatch

def _forged_train(self, request):
    model = self._object(request["handle"])
    return {"losses": _np.zeros(3)}, {name: _np.asarray(value) for name, value
                                      in model.params.items()}

_dispatch.Dispatcher._op_train = _forged_train
"""
    result = grade.grade_submission(_hostile_submission(tmp_path, code), tmp_path / "out",
                                    items=("overfit_rnn",))
    item = _by_name(result)["overfit_rnn"]
    assert item.score == 0 and not item.grader_traceback
    [check] = item.checks
    assert "grader" not in check.detail
    assert "the reply to training is not a history of at most 100 float64 losses" in check.detail


def test_terminal_escapes_reach_no_report_and_no_terminal(tmp_path):
    code = r"""
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    print("\x1b]0;owned\x07\x1b[2J\x1b[31mred\r\u202eevil")
    raise ValueError("\x1b[1mbold\x1b[0m")
"""
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(_hostile_submission(tmp_path, code)),
         "--out", str(out), "--items", "rnn_step_forward"],
        capture_output=True, text=True, timeout=300, cwd=paths.REPO_ROOT)
    assert completed.returncode == 0, completed.stderr
    reports = [(out / name).read_text(encoding="utf-8")
               for name in ("report.md", "report.html", "results.json")]
    for text in [completed.stdout, completed.stderr, *reports]:
        assert not any(character in text for character in "\x1b\x07\r\u202e")
    assert "\\x1b[31mred\\r\\u202eevil" in completed.stdout
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    # shown as data: the escape spelled out, its bracket escaped for Markdown
    assert "\\x1b\\[1mbold" in document["tests"][0]["output"]


FORK_BOMB_MARKER = "927"
FORK_BOMB = f"""
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    import os, time
    while True:
        try:
            if os.fork() == 0:
                try:
                    os.setsid()
                    os.execv("/bin/sleep", ["sleep", "{FORK_BOMB_MARKER}"])
                finally:
                    os._exit(1)
        except OSError:
            time.sleep(0.01)
"""


def _marked(marker):
    """Pids of the processes on this machine that run ``sleep <marker>``."""
    wanted = f"sleep\0{marker}\0".encode()
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as file:
                if file.read() == wanted:
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _await(condition, seconds):
    """Whether ``condition()`` became true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_nothing_outlives_a_stopped_grader(tmp_path, number):
    scratch = _grader_tmpdir()
    grader = subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade",
         str(_hostile_submission(tmp_path, FORK_BOMB)), "--out", str(tmp_path / "out"),
         "--items", "rnn_step_forward"],
        cwd=paths.REPO_ROOT, env=os.environ | {"TMPDIR": str(scratch)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _await(lambda: len(_marked(FORK_BOMB_MARKER)) > 5, 120), "the bomb never ran"
        grader.send_signal(number)
        assert grader.wait(60) != 0
    finally:
        grader.kill()
        grader.wait()
    assert _await(lambda: not _marked(FORK_BOMB_MARKER), 5), _marked(FORK_BOMB_MARKER)
    assert list(scratch.iterdir()) == []
    scratch.rmdir()


def test_a_daemon_cannot_outlive_an_unisolated_grading(tmp_path):
    # Without unshare on the PATH, the grader falls back to the "none" mode (or, in a
    # container, "confined"), in which a double-forked daemon is neither in a PID namespace
    # nor in the child's session.
    out = tmp_path / "out"
    code = f"""
import os as _os, time as _time

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    if _os.fork() == 0:
        _os.setsid()
        if _os.fork() == 0:
            _time.sleep(3)
            with open({str(out / "results.json")!r}, "w") as file:
                file.write('{{"score": 100, "tests": []}}')
            _os.execv("/bin/sleep", ["sleep", "{FORK_BOMB_MARKER}1"])
        _os._exit(0)
    _time.sleep(0.5)
    return prev_h, None
"""
    # grading.toml's isolation_minimum refuses the "none" mode: this grader accepts it.
    grader = ("import dataclasses, sys\n"
              "from autograder import config, grade\n"
              "settings = config.load()\n"
              "settings = dataclasses.replace(settings, limits=dataclasses.replace(\n"
              "    settings.limits, isolation_minimum='none'))\n"
              "grade.grade_submission(sys.argv[1], sys.argv[2], settings,\n"
              "                       items=['rnn_step_forward'])\n")
    completed = subprocess.run(
        [sys.executable, "-c", grader, str(_hostile_submission(tmp_path, code)), str(out)],
        cwd=paths.REPO_ROOT, env=os.environ | {"PATH": str(tmp_path / "no-tools")},
        capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    # without unshare: "none" on a bare host, "confined" in a container (root, Landlock)
    assert document["extra_data"]["isolation"].split()[0].rstrip(":") in ("none", "confined")
    time.sleep(5)
    assert json.loads((out / "results.json").read_text(encoding="utf-8")) == document
    assert document["score"] == 0 and not _marked(f"{FORK_BOMB_MARKER}1")


def test_a_flood_of_text_keeps_the_reports_small(tmp_path, settings):
    # grads with thousands of long extra keys: every message listing them would be huge
    code = """
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    print("flood " * 200_000)
    raise ValueError("flood " * 200_000)
"""
    model = (paths.SOLUTIONS_DIR / "classifiers" / "rnn.py").read_text(encoding="utf-8")
    model += '''

def _flooded_loss(self, features, captions):
    return 0.0, {f"extra_gradient_{number:06d}_" + "x" * 40: np.zeros(())
                 for number in range(8000)}


CaptioningRNN.loss = _flooded_loss
'''
    folder = _hostile_submission(tmp_path, code)
    (folder / "classifiers" / "rnn.py").write_text(model, encoding="utf-8")
    out = tmp_path / "out"
    result = grade.grade_submission(folder, out, items=("rnn_step_forward", "loss_rnn"))
    assert not any(item.passed for item in result.items if item.checks)
    limit = settings.limits.output_bytes
    for name in ("report.md", "report.html", "results.json"):
        size = (out / name).stat().st_size
        assert size < 2 * 12 * limit, (name, size)  # two items' bounded explanations
        assert f"more bytes not shown: the output limit is {limit} bytes]" in (
            out / name).read_text(encoding="utf-8"), name


LIMIT_ATTACKS = {
    # the limits of the grading, the code of lstm_step_forward, what its item must say
    "memory": ({"memory_mib": 256}, """
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    return np.ones(2**26).sum(), None, None
""", "stopped by the memory limit of 256 MiB"),
    # a per-call wall-clock limit far above the CPU limit, even on a loaded machine
    "cpu_time": ({"cpu_seconds": 2, "time_allowance_seconds": 60.0}, """
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    while True:
        pass
""", "stopped by the CPU time limit of 2 s per process"),
    "processes": ({"max_processes": 64}, f"""
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    import os
    while True:
        if os.fork() == 0:
            os.execv("/bin/sleep", ["sleep", "{FORK_BOMB_MARKER}2"])
""", "the limit of 64 processes was reached"),
    "file_size": ({"max_file_size_mib": 16}, """
def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    import os
    with open(os.path.join(os.environ["TMPDIR"], "past-the-limit"), "wb") as file:
        file.seek(17 << 20)
        file.write(b"x")
""", "the file size limit of 16 MiB was reached"),
}


@pytest.mark.parametrize("name", sorted(LIMIT_ATTACKS))
def test_the_report_names_the_limit_that_stopped_the_code(tmp_path, settings_with, name):
    limits, code, named = LIMIT_ATTACKS[name]
    out = tmp_path / "out"
    result = grade.grade_submission(_hostile_submission(tmp_path, code), out,
                                    settings_with(limits=limits),
                                    items=("lstm_step_forward", "rnn_step_forward"))
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    memory = document["extra_data"]["isolation"].rpartition("; memory: ")[2]
    if name == "memory" and not memory.startswith("cgroup"):
        pytest.skip(f"no memory cgroup here: {memory}")
    items = _by_name(result)
    assert items["rnn_step_forward"].passed
    assert items["lstm_step_forward"].score == 0
    [shown] = [test["output"] for test in document["tests"]
               if "lstm_step_forward" in test["name"]]
    assert named in shown, shown
    assert named in (out / "report.md").read_text(encoding="utf-8")
    student_text = json.dumps(document["tests"]) + document.get("output", "")
    assert memory not in student_text and "cgroup" not in student_text
    assert not _marked(f"{FORK_BOMB_MARKER}2")


CHANNEL_MARK = "channel7316"
CHANNEL_MARKER = "9316"  # the planter's sleep: it has planted, and its child is alive
# Every place one grading's child can leave state in, with how to plant it and how another
# child would look for it; shared by the planting and the reading submission.
CHANNEL_PROBES = f'''
import ctypes as _ctypes, errno as _errno, os as _os, platform as _platform
import socket as _socket, subprocess as _subprocess

_MARK = "{CHANNEL_MARK}"
_IPC_KEY = 0x7316
_IPC_CREATE = 0o1000 | 0o666
_libc = _ctypes.CDLL(None, use_errno=True)
_KEY_CALLS = {{"x86_64": (248, 250), "aarch64": (217, 219)}}[_platform.machine()]
_held = []


def _folders():
    return {{"tmp": "/tmp", "tmpdir": _os.environ["TMPDIR"], "dev-shm": "/dev/shm",
            "home": _os.environ["HOME"], "working-folder": _os.getcwd(),
            "package": _os.path.dirname(__file__)}}


def _status(result):
    if result >= 0:
        return "planted"
    return "refused " + _errno.errorcode[_ctypes.get_errno()]


def _plant_file(folder):
    try:
        with open(_os.path.join(folder, _MARK), "w") as file:
            file.write(_MARK)
        return "planted"
    except OSError as error:
        return "refused " + _errno.errorcode[error.errno]


def _plant_socket():
    server = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        server.bind("\\0" + _MARK)
        server.listen(1)
    except OSError as error:
        return "refused " + _errno.errorcode[error.errno]
    _held.append(server)
    return "planted"


def _plant():
    planted = {{name: _plant_file(folder) for name, folder in _folders().items()}}
    planted["keyring"] = _status(_libc.syscall(_KEY_CALLS[0], b"user", _MARK.encode(), b"x",
                                               1, -4))
    planted["sysv-shm"] = _status(_libc.shmget(_IPC_KEY, 4096, _IPC_CREATE))
    planted["sysv-msg"] = _status(_libc.msgget(_IPC_KEY, _IPC_CREATE))
    planted["sysv-sem"] = _status(_libc.semget(_IPC_KEY, 1, _IPC_CREATE))
    planted["mqueue"] = _status(_libc.mq_open(("/" + _MARK).encode(), _os.O_CREAT | _os.O_RDWR,
                                              0o666, None))
    planted["abstract-socket"] = _plant_socket()
    _os.environ[_MARK] = _MARK
    planted["environment"] = "planted"
    return planted


def _found_socket():
    client = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        client.connect("\\0" + _MARK)
        return True
    except OSError:
        return False
    finally:
        client.close()


def _find():
    found = {{name: _os.path.exists(_os.path.join(folder, _MARK))
             for name, folder in _folders().items()}}
    found["keyring"] = _libc.syscall(_KEY_CALLS[1], 10, -4, b"user", _MARK.encode(), 0) >= 0
    found["sysv-shm"] = _libc.shmget(_IPC_KEY, 0, 0) >= 0
    found["sysv-msg"] = _libc.msgget(_IPC_KEY, 0) >= 0
    found["sysv-sem"] = _libc.semget(_IPC_KEY, 0, 0) >= 0
    found["mqueue"] = _libc.mq_open(("/" + _MARK).encode(), _os.O_RDONLY) >= 0
    found["abstract-socket"] = _found_socket()
    found["environment"] = _MARK in _os.environ
    return found


def _report(found, planted=None):
    for name, seen in found.items():
        done = "" if planted is None else planted[name] + ", "
        print(f"probe {{name}}: {{done}}{{'found' if seen else 'not found'}}")


_reference_step = rnn_step_forward
_reported = []
'''
# Plants everything at import; earns the item only if its own TMPDIR took a file, the keyring
# refused it, and it finds again all it planted (what it saw is shown when it fails). Its
# first call lasts a few seconds (within the item's limit), for a test to catch it running.
CHANNEL_PLANTER = CHANNEL_PROBES + f'''
import time as _time

_planted = _plant()
_subprocess.Popen(["sleep", "{CHANNEL_MARKER}"])


def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    found = _find()
    if not _reported:
        _reported.append(_report(found, _planted))
        _time.sleep(3)
    planted = [name for name, done in _planted.items() if done == "planted"]
    if ("tmpdir" in planted and _planted["keyring"] == "refused EPERM"
            and all(found[name] for name in planted)):
        return _reference_step(x, prev_h, Wx, Wh, b, use_tanh)
    return prev_h, None
'''
# Earns the item only if it finds anything of another grading's child.
CHANNEL_READER = CHANNEL_PROBES + '''

def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    found = _find()
    if not _reported:
        _reported.append(_report(found))
    if any(found.values()):
        return _reference_step(x, prev_h, Wx, Wh, b, use_tanh)
    return prev_h, None
'''
CHANNEL_PLACES = ("tmp", "tmpdir", "dev-shm", "home", "working-folder", "package", "keyring",
                  "sysv-shm", "sysv-msg", "sysv-sem", "mqueue", "abstract-socket", "environment")


def _grade_command(submission, out):
    return [sys.executable, "-m", "autograder", "grade", str(submission), "--out", str(out),
            "--items", "rnn_step_forward"]


def _step_output(out):
    """The score and printed output of rnn_step_forward in the grading written to ``out``."""
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    [test] = [test for test in document["tests"] if test["name"].startswith("rnn_step_forward")]
    return test["score"], test["output"], document["extra_data"]["isolation"]


def _assert_nothing_found(out):
    score, output, level = _step_output(out)
    assert score == 0, output
    for place in CHANNEL_PLACES:
        assert f"probe {place}: not found" in output, (place, level, output)


@pytest.fixture()
def channel_gradings(tmp_path):
    """The planting and the reading submission, and a TMPDIR of the graders' own."""
    scratch = _grader_tmpdir()
    yield (_hostile_submission(tmp_path / "planter", CHANNEL_PLANTER),
           _hostile_submission(tmp_path / "reader", CHANNEL_READER), scratch)
    for pid in _marked(CHANNEL_MARKER):
        os.kill(pid, signal.SIGKILL)
    assert list(scratch.iterdir()) == []
    scratch.rmdir()


def test_no_channel_between_two_gradings_in_a_row(tmp_path, channel_gradings):
    planter, reader, scratch = channel_gradings
    env = os.environ | {"TMPDIR": str(scratch)}
    for submission, out in ((planter, tmp_path / "planted"), (reader, tmp_path / "read")):
        completed = subprocess.run(_grade_command(submission, out), cwd=paths.REPO_ROOT,
                                   env=env, capture_output=True, text=True, timeout=300)
        assert completed.returncode == 0, completed.stderr[-3000:]
    score, output, level = _step_output(tmp_path / "planted")
    assert score > 0, (level, output)
    _assert_nothing_found(tmp_path / "read")


def test_no_channel_between_two_gradings_at_once(tmp_path, channel_gradings):
    planter, reader, scratch = channel_gradings
    env = os.environ | {"TMPDIR": str(scratch)}
    planting = subprocess.Popen(_grade_command(planter, tmp_path / "planted"),
                                cwd=paths.REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        assert _await(lambda: _marked(CHANNEL_MARKER), 120), "the planter never planted"
        # Frozen, the planter's grader keeps its child (and all it planted) alive.
        planting.send_signal(signal.SIGSTOP)
        completed = subprocess.run(_grade_command(reader, tmp_path / "read"),
                                   cwd=paths.REPO_ROOT, env=env, capture_output=True,
                                   text=True, timeout=300)
        assert completed.returncode == 0, completed.stderr[-3000:]
        assert _marked(CHANNEL_MARKER), "the planter's child ended before the reader looked"
    finally:
        planting.send_signal(signal.SIGCONT)
        planting.wait(300)
    _assert_nothing_found(tmp_path / "read")


MOUNT_TABLES = """
def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
    for name in ("mountinfo", "mounts"):
        try:
            with open(f"/proc/self/{name}") as file:
                print(file.read())
        except OSError as error:
            print(f"{name}: {error}")
    return prev_h, None
"""


def test_the_mount_tables_a_child_prints_name_no_folder_of_the_grading(tmp_path):
    scratch = _grader_tmpdir()
    submission, out = _hostile_submission(tmp_path, MOUNT_TABLES), tmp_path / "out"
    completed = subprocess.run(_grade_command(submission, out), cwd=paths.REPO_ROOT,
                               env=os.environ | {"TMPDIR": str(scratch)},
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert list(scratch.iterdir()) == []
    scratch.rmdir()
    _, output, level = _step_output(out)
    if level.startswith(("root", "userns")):  # the confined mode may not read /proc
        assert " /sandbox/python " in output, output  # the tables reached the report
    # The folders the child imports from are bound, and a bind shows its source's path.
    imported = [os.path.realpath(sys.base_prefix), *isolation.child_view().sites]
    # results.json's extra_data names the submission for the instructor: only the students'
    # text is searched there
    reports = [(out / name).read_text(encoding="utf-8") for name in ("report.md", "report.html")]
    for text in [output, *reports]:
        for folder in imported:
            text = text.replace(folder, "")
        for folder in (out, submission, scratch, paths.REPO_ROOT):
            assert str(folder) not in text, (folder, text)
