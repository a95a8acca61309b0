"""Hostile student code: each case gives its documented StudentError (or a plain array) and
never harms the grader or the next call."""

import os
import re
import textwrap
import time
import tracemalloc

import numpy as np
import pytest

from autograder.sandbox import Handle, InProcessRunner, SandboxRunner, StudentError
from sandbox_helpers import RUN_CODE, kill_marked, running_with_marker

X = np.linspace(-1, 1, 12).reshape(3, 4)


@pytest.fixture(scope="module")
def root(tmp_path_factory, make_package):
    """The reference package with ``run_code`` for hostile code."""
    return make_package(appended=RUN_CODE)


@pytest.fixture(scope="module")
def runner(root, settings_with):
    """One sandbox shared by the cases that leave it usable (results capped at 100k elements)."""
    with SandboxRunner(root, settings_with(limits=dict(max_array_elements=100_000))) as sandboxed:
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
    error = expect("timeout", runner, "while True:\n    pass", timeout=1.0,
                   match="time limit of 1 s per call")
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


def test_memory_bombs_fail_alone(root, runner, settings, settings_with):
    error = expect("exception", runner, "import numpy as np\nresult = np.ones(2**33)",
                   match="MemoryError")
    gibibytes = settings.limits.address_space_mib >> 10
    assert error.message.endswith(f"(the memory limit of {gibibytes} GiB was reached)"), \
        error.message
    touched = "import numpy as np\nblocks = []\nwhile True:\n    blocks.append(np.ones(2**24))"
    with SandboxRunner(root, settings_with(limits=dict(address_space_mib=768))) as small:
        with pytest.raises(StudentError) as caught:
            run(small, touched)
        assert caught.value.kind in ("exception", "crash")
        still_works(small)


def test_the_memory_cgroup_stops_a_child_and_the_error_names_it(root, settings_with):
    # Touched pages within the address space limit, over the memory limit.
    with SandboxRunner(root, settings_with(limits=dict(memory_mib=256,
                                                          address_space_mib=4096))) as sandboxed:
        if "memory: cgroup" not in sandboxed.isolation:
            pytest.skip(f"no memory cgroup here: {sandboxed.isolation}")
        assert sandboxed.isolation.endswith(" memory.limit_in_bytes 256 MiB") or \
            sandboxed.isolation.endswith(" memory.max 256 MiB"), sandboxed.isolation
        expect("crash", sandboxed, "import numpy as np\nresult = np.ones(2**26).sum()",
               match="during rnn_layers.run_code: stopped by the memory limit of 256 MiB$")


def test_the_cpu_time_limit_is_named(root, settings_with):
    with SandboxRunner(root, settings_with(limits=dict(cpu_seconds=1))) as sandboxed:
        expect("crash", sandboxed, "while True:\n    pass", timeout=60,
               match="during rnn_layers.run_code: stopped by the CPU time limit of 1 s per "
                     "process$")


FORK_UNTIL_REFUSED = """
import os
while True:
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "929"])
"""
WRITE_PAST_16_MIB = """
import os
with open(os.path.join(os.environ["TMPDIR"], "past-the-limit"), "wb") as file:
    file.seek(17 << 20)
    file.write(b"x")
"""


@pytest.mark.parametrize("source, limits, named", [
    (FORK_UNTIL_REFUSED, {"max_processes": 64},
     "(the limit of 64 processes was reached: starting one more fails with this error)"),
    (WRITE_PAST_16_MIB, {"max_file_size_mib": 16}, "(the file size limit of 16 MiB was reached)"),
], ids=["processes", "file_size"])
def test_the_process_and_file_size_limits_are_named(root, source, limits, named, settings_with):
    with SandboxRunner(root, settings_with(limits=limits)) as sandboxed:
        expect("exception", sandboxed, source, match=re.escape(named) + "$")
    assert not running_with_marker("929")


def test_a_full_scratch_space_is_named_where_the_mode_bounds_it(root, settings_with):
    source = """
import os
with open(os.path.join(os.environ["TMPDIR"], "filling"), "wb") as file:
    for _ in range(17):
        file.write(bytes(1 << 20))
"""
    with SandboxRunner(root, settings_with(limits=dict(max_file_size_mib=16))) as sandboxed:
        private_tmpfs = sandboxed.isolation.startswith(("root:", "userns:"))
        named = ("(the sandbox's scratch space of 16 MiB is full)" if private_tmpfs
                 else "(the file size limit of 16 MiB was reached)")
        expect("exception", sandboxed, source, match=re.escape(named) + "$")


def test_fork_bomb_is_bounded_and_cleaned_up(root, settings):
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
    with SandboxRunner(root, settings) as sandboxed:
        count = int(run(sandboxed, source))
        assert 0 < count < settings.limits.max_processes
        assert running_with_marker("913")
        still_works(sandboxed)
    assert not running_with_marker("913")


def test_background_processes_do_not_outlive_the_runner(root, settings):
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
    with SandboxRunner(root, settings) as sandboxed:
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


def test_output_is_truncated_without_stalling(runner, settings):
    runner.output()
    np.testing.assert_array_equal(run(runner, "print('x' * 3_000_000)\nresult = 1"), 1)
    printed = runner.output()
    shown, note = printed.rsplit("\n[... ", 1)
    assert len(shown.encode()) == settings.limits.output_bytes
    assert note == (f"{3_000_001 - settings.limits.output_bytes} more bytes not shown: the output "
                    f"limit is {settings.limits.output_bytes} bytes]\n")


def test_in_process_output_is_kept_only_up_to_the_limit(root, settings):
    # 50 MB printed in small pieces: the grader keeps output_bytes of it, not all of it.
    source = "for _ in range(50_000):\n    print('y' * 999)\nresult = 1"
    with InProcessRunner(root, settings) as local:
        tracemalloc.start()
        try:
            run(local, source)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        shown, note = local.output().rsplit("\n[... ", 1)
    assert peak < 4 << 20, peak
    assert shown == ("y" * 999 + "\n") * 8 + "y" * (settings.limits.output_bytes - 8000)
    assert note == (f"{50_000_000 - settings.limits.output_bytes} more bytes not shown: the "
                    f"output limit is {settings.limits.output_bytes} bytes]\n")


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


def test_tampering_with_the_worker_cannot_pass_junk(root, settings):
    source = """
        from gradersandbox import dispatch
        dispatch.to_plain = lambda value, caps, where="": "forged"
        result = 1
    """
    # its own sandbox: the tampered worker stays tampered, and the shared one must not be
    with SandboxRunner(root, settings) as tampered:
        with pytest.raises(StudentError) as caught:
            run(tampered, source)
        assert caught.value.kind == "bad_output"
        with pytest.raises(StudentError, match="only numeric arrays"):
            tampered.call("rnn_layers.sigmoid", np.zeros(2))


def test_monkeypatching_numpy_in_the_child_leaves_the_parent_alone(root, settings):
    source = ("import numpy as np\nnp.allclose = lambda *a, **k: True\n"
              "np.array_equal = None\nresult = 1")
    with SandboxRunner(root, settings) as sandboxed:
        run(sandboxed, source)
        assert not np.allclose(np.zeros(2), np.ones(2)) and callable(np.array_equal)
        assert run(sandboxed, "import numpy as np\nresult = np.allclose(0, 1)")


@pytest.mark.parametrize("top, kind, match", [
    ("import sys\nsys.exit(3)\n", "import", "^SystemExit: 3"),
    ("raise KeyboardInterrupt\n", "import", "^KeyboardInterrupt"),
    ("def broken(:\n", "import", "^SyntaxError"),
    ("import os\nos._exit(1)\n", "crash", "exited with status 1"),
])
def test_failures_at_import(tmp_path, top, kind, match, make_package, settings):
    root = make_package(appended={"rnn_layers.py": top})
    with SandboxRunner(root, settings) as sandboxed:
        for target in ("rnn_layers.sigmoid", "classifiers.rnn.CaptioningRNN"):
            with pytest.raises(StudentError, match=match) as caught:
                sandboxed.call(target, np.zeros(2))
            assert caught.value.kind == kind
        np.testing.assert_array_equal(sandboxed.call("layers.affine_forward", np.ones((1, 2)),
                                                     np.ones((2, 1)), np.zeros(1))[0], [[2.0]])
    if kind == "import":
        with InProcessRunner(root, settings) as local:
            with pytest.raises(StudentError, match=match):
                local.call("rnn_layers.sigmoid", np.zeros(2))


def test_handles_belong_to_their_runner(root, runner, settings):
    handle = runner.new("classifiers.rnn.CaptioningRNN", {"<NULL>": 0, "a": 1}, input_dim=3,
                        wordvec_dim=2, hidden_dim=2)
    assert isinstance(handle, Handle) and handle.label == "CaptioningRNN"
    with InProcessRunner(root, settings) as other:
        with pytest.raises(ValueError, match="another runner"):
            other.get_attr(handle, "params")
    runner.drop(handle)
    with pytest.raises(StudentError, match="no longer exists") as caught:
        runner.get_attr(handle, "params")
    assert caught.value.kind == "crash"


def test_a_closed_runner_refuses_calls(root, settings):
    sandboxed = SandboxRunner(root, settings)
    still_works(sandboxed)
    sandboxed.close()
    with pytest.raises(RuntimeError, match="closed"):
        still_works(sandboxed)


def test_a_reply_larger_than_its_request_explains_is_refused_unread(root, settings):
    # The child's own checks are bypassed: the grader's cap must hold by itself.
    source = """
        import numpy as np
        from gradersandbox import dispatch
        dispatch.to_plain = lambda value, caps, where="", depth=0: value
        result = np.zeros(4_000_000)
    """
    with SandboxRunner(root, settings) as sandboxed:
        with pytest.raises(StudentError, match=r"refused unread.*no larger than the request "
                                               r"implies \(4000 values") as caught:
            run(sandboxed, source, np.zeros(1000))
        assert caught.value.kind == "oversized"
        assert "the reply holds arrays of shapes (4000000,)" in caught.value.message
        still_works(sandboxed)
        # a result the request explains (shaped like an input) still comes back
        big = np.arange(300_000.0)
        np.testing.assert_array_equal(run(sandboxed, "result = args[0] * 2", big), big * 2)


UNCHECKED_CHILD = """
    import numpy as np
    from gradersandbox import dispatch
    dispatch.to_plain = lambda value, caps, where="", depth=0: value
"""


@pytest.mark.parametrize("make", [InProcessRunner, SandboxRunner])
def test_a_reply_beyond_its_declared_shapes_is_refused_naming_both(root, make, settings):
    expected = {"h": (3, 40, 50)}
    allowance = settings.limits.reply_allowance_elements
    with make(root, settings) as runner:
        source = "import numpy as np\nresult = np.zeros((6000, 1000)), np.ones(3)"
        with pytest.raises(StudentError) as caught:
            runner.call("rnn_layers.run_code", source, expect=expected)
        assert caught.value.kind == "oversized"
        assert caught.value.message.endswith(
            f"expected h of shape (3, 40, 50) (6000 values, at most {6000 + allowance} "
            "accepted); the reply holds arrays of shapes (6000, 1000), (3,) (6000003 values, "
            "48000024 bytes)")
        # small, but of another shape: it comes back, for the comparison to explain
        wrong = runner.call("rnn_layers.run_code", "import numpy as np\n"
                            "result = np.ones((3, 41, 50))", expect=expected)
        assert wrong.shape == (3, 41, 50)
        small = runner.call("rnn_layers.run_code", "import numpy as np\n"
                            f"result = np.ones(6000 + {allowance})", expect=expected)
        assert small.size == 6000 + allowance
        with pytest.raises(StudentError, match="refused unread"):
            runner.call("rnn_layers.run_code", "import numpy as np\n"
                        f"result = np.ones(6001 + {allowance})", expect=expected)
        still_works(runner)


def test_the_grader_never_allocates_a_refused_reply(root, settings):
    source = UNCHECKED_CHILD + "    result = np.zeros(8_000_000)\n"  # 64 MB
    with SandboxRunner(root, settings) as sandboxed:
        still_works(sandboxed)
        tracemalloc.start()
        try:
            with pytest.raises(StudentError, match="refused unread"):
                sandboxed.call("rnn_layers.run_code", textwrap.dedent(source),
                               expect={"out": (10,)})
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 1 << 20, peak


def test_dropping_an_object_runs_none_of_its_code(root, settings):
    source = """
        import time
        class Slow:
            def __del__(self):
                time.sleep(30)
        result = (1, Slow())
    """
    with SandboxRunner(root, settings) as sandboxed:
        _, kept = sandboxed.call("rnn_layers.run_code", textwrap.dedent(source), keep=(1,))
        start = time.monotonic()
        sandboxed.drop(kept)
        still_works(sandboxed)
        assert time.monotonic() - start < 5


def test_in_the_none_mode_a_killed_reaper_takes_the_worker_and_the_mode_says_what_escapes(root,
                                                                                            settings):
    # The none mode's child runs as the grader's user: it can kill its reaper (its parent).
    source = """
        import os, signal, subprocess, time
        subprocess.Popen(["sleep", "937"], start_new_session=True)
        os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(5)
        result = 1
    """
    with SandboxRunner(root, settings, mode="none") as sandboxed:
        assert "kill the reaper" in sandboxed.isolation
        assert "outlive the grading" in sandboxed.isolation
        worker = int(run(sandboxed, "import os\nresult = os.getpid()"))
        with pytest.raises(StudentError) as caught:
            run(sandboxed, source, timeout=10)
        assert caught.value.kind == "crash", caught.value.message
        still_works(sandboxed)
    # what the description warns of: the worker died with its reaper, its daemon did not,
    # unless the memory cgroup held it (removing the group at close kills what it holds)
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{worker}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{worker}")
    held = "memory: cgroup" in sandboxed.isolation
    assert running_with_marker("937") is not held, sandboxed.isolation
    kill_marked("937")


def test_an_exceptions_text_and_traceback_are_cut_to_the_output_limit(root, settings):
    limit = settings.limits.output_bytes
    with SandboxRunner(root, settings) as sandboxed:
        error = expect("exception", sandboxed, f"raise ValueError('v' * {4 * limit})",
                       match="^ValueError")
    assert error.message.startswith("ValueError: " + "v" * 100)
    assert len(error.message) <= limit + 200  # the type name and the call it came from
    assert len(error.details) <= limit
