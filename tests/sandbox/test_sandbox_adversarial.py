"""Hostile student code: each case gives its documented StudentError (or a plain array) and
never harms the grader or the next call."""

import os
import textwrap
import time

import numpy as np
import pytest

from autograder.sandbox import Handle, InProcessRunner, SandboxRunner, StudentError
from sandbox_helpers import (RUN_CODE, SETTINGS, kill_marked, running_with_marker, settings_with,
                             stage)

X = np.linspace(-1, 1, 12).reshape(3, 4)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """The reference package with ``run_code`` for hostile code."""
    return stage(tmp_path_factory.mktemp("hostile"), rnn_layers_extra=RUN_CODE)


@pytest.fixture(scope="module")
def runner(root):
    """One sandbox shared by the cases that leave it usable (results capped at 100k elements)."""
    with SandboxRunner(root, settings_with(max_array_elements=100_000)) as sandboxed:
        yield sandboxed


def run(runner, source, *args, timeout=None):
    """Run ``source`` (which sets ``result``) as student code."""
    return runner.call("rnn_layers.run_code", textwrap.dedent(source), *args, timeout=timeout)


def still_works(runner):
    """The runner answers a normal call correctly."""
    np.testing.assert_array_equal(runner.call("rnn_layers.sigmoid", np.zeros(2)), [0.5, 0.5])


def expect(kind, runner, source, *args, match="", timeout=None):
    """``source`` raises a StudentError of ``kind`` matching ``match``; the next call works."""
    with pytest.raises(StudentError, match=match) as caught:
        run(runner, source, *args, timeout=timeout)
    assert caught.value.kind == kind, caught.value.message
    still_works(runner)
    return caught.value


def test_infinite_loop_times_out_and_the_next_call_works(runner):
    cache = runner.call("rnn_layers.rnn_step_forward", X, np.zeros((3, 5)), np.ones((4, 5)),
                        np.ones((5, 5)), np.zeros(5), keep=(1,))[1]
    error = expect("timeout", runner, "while True:\n    pass", timeout=1.0, match="within 1 s")
    assert "timeout" in repr(error)
    assert "unshare" not in runner.output()  # the launcher's own messages are not the student's
    with pytest.raises(StudentError, match="lost when the child restarted") as caught:
        runner.call("rnn_layers.rnn_step_backward", np.ones((3, 5)), cache)
    assert caught.value.kind == "crash"
    runner.drop(cache)  # a lost handle is skipped, not an error


def test_os_exit_is_a_crash(runner):
    expect("crash", runner, "import os\nos._exit(0)", match="exited with status 0")


def test_segfault_is_a_crash(runner):
    expect("crash", runner, "import ctypes\nctypes.string_at(0)", match="SIGSEGV")


@pytest.mark.parametrize("source, name", [
    ("raise KeyboardInterrupt", "KeyboardInterrupt"),
    ("import sys\nsys.exit(3)", "SystemExit: 3"),
    ("raise NotImplementedError('later')", "NotImplementedError: later"),
])
def test_base_exceptions_cost_only_the_call(runner, source, name):
    error = expect("exception", runner, source, match=f"^{name}")
    assert "assignment/rnn_layers.py" in error.details


def test_memory_bombs_fail_alone(root, runner):
    expect("exception", runner, "import numpy as np\nresult = np.ones(2**33)", match="MemoryError")
    touched = "import numpy as np\nblocks = []\nwhile True:\n    blocks.append(np.ones(2**24))"
    with SandboxRunner(root, settings_with(address_space_mib=768)) as small:
        with pytest.raises(StudentError) as caught:
            run(small, touched)
        assert caught.value.kind in ("exception", "crash")
        still_works(small)


def test_fork_bomb_is_bounded_and_cleaned_up(root):
    source = """
        import os
        count = 0
        try:
            for _ in range(500):
                if os.fork() == 0:
                    try:
                        os.execv("/bin/sleep", ["sleep", "913"])
                    finally:
                        os._exit(1)
                count += 1
        except OSError:
            pass
        result = count
    """
    with SandboxRunner(root, SETTINGS) as sandboxed:
        count = int(run(sandboxed, source))
        assert 0 < count < SETTINGS.limits.max_processes
        assert running_with_marker("913")
        still_works(sandboxed)
    assert not running_with_marker("913")


def test_background_processes_do_not_outlive_the_runner(root):
    source = """
        import os, subprocess
        subprocess.Popen(["sleep", "917"], start_new_session=True)
        first = os.fork()
        if first == 0:
            os.setsid()
            if os.fork() == 0:
                try:
                    os.execv("/bin/sleep", ["sleep", "919"])
                finally:
                    os._exit(1)
            os._exit(0)
        os.waitpid(first, 0)
        result = 1
    """
    with SandboxRunner(root, SETTINGS) as sandboxed:
        run(sandboxed, source)
        assert running_with_marker("917") and running_with_marker("919", wait=2.0)
    assert not running_with_marker("917") and not running_with_marker("919")


def test_forged_replies_on_stdout_are_only_output(runner):
    source = """
        import os, sys
        from gradersandbox import protocol
        caps = protocol.Caps(1 << 20, 10, "f")
        fake = b"".join(bytes(part) for part in protocol.dumps({"ok": 1}, caps))
        sys.stdout.buffer.write(fake)
        print("RNNG fake reply")
        os.write(1, fake + b"\\x00\\xff garbage")
        os.write(2, b"more \\xfe garbage on stderr")
        result = args[0] * 2
    """
    runner.output()
    np.testing.assert_array_equal(run(runner, source, X), X * 2)
    printed = runner.output()
    assert "RNNG fake reply" in printed and "garbage on stderr" in printed


def test_output_is_truncated_without_stalling(runner):
    runner.output()
    np.testing.assert_array_equal(run(runner, "print('x' * 3_000_000)\nresult = 1"), 1)
    printed = runner.output()
    shown, note = printed.rsplit("\n[... ", 1)
    assert len(shown.encode()) == SETTINGS.limits.output_bytes
    assert note == f"{3_000_001 - SETTINGS.limits.output_bytes} more bytes not shown]\n"


@pytest.mark.parametrize("source, match", [
    ("class Liar:\n    def __eq__(self, other):\n        return True\nresult = Liar()", "Liar"),
    ("result = 'a string'", "str"),
    ("import numpy as np\nresult = np.array([object()])", "dtype object"),
    ("import numpy as np\nresult = np.array(['text'])", "dtype <U4"),
    ("import numpy as np\nresult = np.zeros(3, dtype=complex)", "complex128"),
    ("import numpy as np\nresult = (np.zeros(2), np.zeros(200_000))", r"result\[1\] has 200000"),
    ("result = {1: 2}", "key of type int"),
    ("result = 2**80", "dtype object"),
    ("result = []\nresult.append(result)", "nested deeper"),
])
def test_results_that_are_not_plain_numbers(runner, source, match):
    expect("bad_output", runner, source, match=match)


@pytest.mark.parametrize("source, match", [
    ("result = None", "it returned None"),
    ("result = (None, None)", r"it returned \(None, None\)"),
    ("result = (1.0, None)", r"None as result\[1\]"),
])
def test_the_templates_none_is_not_implemented(runner, source, match):
    expect("not_implemented", runner, source, match=match)


def test_ndarray_subclasses_come_back_as_exact_arrays(runner):
    source = """
        import numpy as np
        class Shifty(np.ndarray):
            def __eq__(self, other):
                return True
        result = (np.arange(4.0).view(Shifty), np.matrix([[1, 2]]), np.float32(2))
    """
    shifty, matrix, scalar = run(runner, source)
    assert type(shifty) is np.ndarray and type(matrix) is np.ndarray and type(scalar) is np.ndarray
    np.testing.assert_array_equal(shifty, np.arange(4.0))
    assert matrix.shape == (1, 2) and scalar.shape == () and scalar.dtype == np.float32


def test_tampering_with_the_worker_cannot_pass_junk(runner):
    source = """
        from gradersandbox import dispatch
        dispatch.to_plain = lambda value, caps, where="": "forged"
        result = 1
    """
    with pytest.raises(StudentError) as caught:
        run(runner, source)
    assert caught.value.kind == "bad_output"
    with pytest.raises(StudentError, match="only numeric arrays"):
        runner.call("rnn_layers.sigmoid", np.zeros(2))


def test_monkeypatching_numpy_in_the_child_leaves_the_parent_alone(root):
    source = ("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
              "np.array_equal = None\nresult = 1")
    with SandboxRunner(root, SETTINGS) as sandboxed:
        run(sandboxed, source)
        assert not np.allclose(np.zeros(2), np.ones(2)) and callable(np.array_equal)
        assert run(sandboxed, "import numpy as np\nresult = np.allclose(0, 1)")


@pytest.mark.parametrize("top, kind, match", [
    ("import sys\nsys.exit(3)\n", "import", "^SystemExit: 3"),
    ("raise KeyboardInterrupt\n", "import", "^KeyboardInterrupt"),
    ("def broken(:\n", "import", "^SyntaxError"),
    ("import os\nos._exit(1)\n", "crash", "exited with status 1"),
])
def test_failures_at_import(tmp_path, top, kind, match):
    root = stage(tmp_path, rnn_layers_extra="\n" + top)
    with SandboxRunner(root, SETTINGS) as sandboxed:
        for target in ("rnn_layers.sigmoid", "classifiers.rnn.CaptioningRNN"):
            with pytest.raises(StudentError, match=match) as caught:
                sandboxed.call(target, np.zeros(2))
            assert caught.value.kind == kind
        np.testing.assert_array_equal(sandboxed.call("layers.affine_forward", np.ones((1, 2)),
                                                     np.ones((2, 1)), np.zeros(1))[0], [[2.0]])
    if kind == "import":
        with InProcessRunner(root, SETTINGS) as local:
            with pytest.raises(StudentError, match=match):
                local.call("rnn_layers.sigmoid", np.zeros(2))


def test_handles_belong_to_their_runner(root, runner):
    handle = runner.new("classifiers.rnn.CaptioningRNN", {"<NULL>": 0, "a": 1}, input_dim=3,
                        wordvec_dim=2, hidden_dim=2)
    assert isinstance(handle, Handle) and handle.label == "CaptioningRNN"
    with InProcessRunner(root, SETTINGS) as other:
        with pytest.raises(ValueError, match="another runner"):
            other.get_attr(handle, "params")
    runner.drop(handle)
    with pytest.raises(StudentError, match="no longer exists") as caught:
        runner.get_attr(handle, "params")
    assert caught.value.kind == "crash"


def test_a_closed_runner_refuses_calls(root):
    sandboxed = SandboxRunner(root, SETTINGS)
    still_works(sandboxed)
    sandboxed.close()
    with pytest.raises(RuntimeError, match="closed"):
        still_works(sandboxed)


def test_a_reply_larger_than_its_request_explains_is_refused_unread(root):
    # The child's own checks are bypassed: the grader's cap must hold by itself.
    source = """
        import numpy as np
        from gradersandbox import dispatch
        dispatch.to_plain = lambda value, caps, where="", depth=0: value
        result = np.zeros(4_000_000)
    """
    with SandboxRunner(root, SETTINGS) as sandboxed:
        with pytest.raises(StudentError, match="refused unread: it is larger than its request "
                                               "can explain") as caught:
            run(sandboxed, source, np.zeros(1000))
        assert caught.value.kind == "bad_output"
        still_works(sandboxed)
        # a result the request explains (shaped like an input) still comes back
        big = np.arange(300_000.0)
        np.testing.assert_array_equal(run(sandboxed, "result = args[0] * 2", big), big * 2)


def test_dropping_an_object_runs_none_of_its_code(root):
    source = """
        import time
        class Slow:
            def __del__(self):
                time.sleep(30)
        result = (1, Slow())
    """
    with SandboxRunner(root, SETTINGS) as sandboxed:
        _, kept = sandboxed.call("rnn_layers.run_code", textwrap.dedent(source), keep=(1,))
        start = time.monotonic()
        sandboxed.drop(kept)
        still_works(sandboxed)
        assert time.monotonic() - start < 5


def test_in_the_none_mode_a_killed_reaper_takes_the_worker_and_the_mode_says_what_escapes(root):
    # The none mode's child runs as the grader's user: it can kill its reaper (its parent).
    source = """
        import os, signal, subprocess, time
        subprocess.Popen(["sleep", "937"], start_new_session=True)
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(5)
        result = 1
    """
    with SandboxRunner(root, SETTINGS, mode="none") as sandboxed:
        assert "kill the reaper" in sandboxed.isolation
        assert "outlive the grading" in sandboxed.isolation
        worker = int(run(sandboxed, "import os\nresult = os.getpid()"))
        with pytest.raises(StudentError) as caught:
            run(sandboxed, source, timeout=10)
        assert caught.value.kind == "crash", caught.value.message
        still_works(sandboxed)
    # what the description warns of: the worker died with its reaper, its daemon did not
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{worker}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{worker}")
    assert running_with_marker("937")
    kill_marked("937")
