"""The "confined" mode (a default Docker container: root, no namespaces): what its child can
see and do. Skipped, with the reason, where that mode cannot start (e.g. a Python under a
folder other users cannot enter); tests/containers runs this file inside a real container."""

import os
import socket
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import paths
from autograder.sandbox import SandboxError, SandboxRunner, isolation, uids
from test_isolation import OPEN_ERRNO, probe, root  # noqa: F401 - the fixture


@pytest.fixture(scope="module")
def confined(root, tmp_path_factory, settings):  # noqa: F811 - the imported fixture
    """A sandbox in the confined mode, with a hidden output folder holding a file."""
    output = tmp_path_factory.mktemp("output")
    (output / "results.json").write_text("{}")
    try:
        runner = SandboxRunner(root, settings, hidden_paths=[output], mode="confined")
    except SandboxError as error:
        pytest.skip(f"the confined mode cannot start here: {error}")
    with runner:
        yield runner, output


def test_the_child_has_a_leased_uid_and_the_parents_numpy(confined):
    runner, _ = confined
    uid = runner.environment["uid"]
    assert uids.FIRST_UID <= uid < uids.FIRST_UID + uids.COUNT
    assert runner.environment["numpy"] == np.__version__
    assert runner.isolation.partition("; memory: ")[0] == isolation.DESCRIPTIONS["confined"]
    ids = probe(runner, "import os\nvalue = [os.getresuid(), os.getresgid(), os.getgroups()]")
    assert ids == [[uid] * 3, [uid] * 3, []]


def test_grader_reference_tests_and_output_cannot_be_read(confined):
    runner, output = confined
    secrets = [str(paths.SOLUTIONS_DIR / "rnn_layers.py"), str(paths.GRADING_TOML),
               str(paths.REPO_ROOT / "autograder" / "items" / "layers.py"),
               str(paths.REPO_ROOT / "tests" / "autograder" / "sandbox" / "sandbox_helpers.py"),
               str(Path(isolation.__file__)), str(output / "results.json"), str(output),
               "/proc/1/cmdline", f"/proc/{os.getpid()}/environ", "/root", "/tmp"]
    seen = probe(runner, OPEN_ERRNO, secrets, "r")
    assert all(isinstance(seen[path], int) for path in secrets), seen


def test_installed_packages_import_and_only_scratch_is_writable(confined):
    runner, output = confined
    body = """
        import os, tqdm, h5py
        value = {"home": os.environ["HOME"], "tqdm": tqdm.__version__}
        with open(os.path.join(os.environ["HOME"], "notes.txt"), "w") as file:
            value["scratch"] = file.write("kept")
    """
    seen = probe(runner, body)
    assert seen["scratch"] == 4 and seen["tqdm"]
    targets = [str(output / "results.json"), "/tmp/x", str(Path(sys.base_prefix) / "x"),
               str(Path(np.__file__).with_name("x.py")), "/etc/x"]
    written = probe(runner, OPEN_ERRNO, targets, "w")
    assert all(isinstance(written[path], int) for path in targets), written
    assert (output / "results.json").read_text() == "{}"


def test_the_staged_package_is_read_only(confined):
    runner, _ = confined
    module = probe(runner, "import assignment.rnn_layers\nvalue = assignment.rnn_layers.__file__")
    targets = [module, str(Path(module).with_name("new.py"))]
    written = probe(runner, OPEN_ERRNO, targets, "a")
    assert all(isinstance(written[path], int) for path in targets), written


def test_no_network_socket_but_unix_sockets(confined):
    runner, _ = confined
    body = """
        import socket
        value = {}
        for name in ("AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET"):
            try:
                socket.socket(getattr(socket, name), socket.SOCK_DGRAM).close()
                value[name] = "created"
            except OSError as error:
                value[name] = error.errno
        a, b = socket.socketpair()
        value["unix"] = a.send(b"x")
    """
    seen = probe(runner, body)
    assert seen["unix"] == 1
    assert all(isinstance(seen[name], int) for name in ("AF_INET", "AF_INET6", "AF_NETLINK",
                                                        "AF_PACKET")), seen


def test_parent_cannot_be_signalled_and_channels_are_closed(confined):
    runner, _ = confined
    body = """
        import ctypes, os, signal
        libc = ctypes.CDLL(None, use_errno=True)
        value = {}
        for name, pid in (("parent", args[0]), ("init", 1)):
            try:
                os.kill(pid, 0)
                value[name] = "reachable"
            except OSError as error:
                value[name] = error.errno
        calls = {"keyctl": (250, 0, -4, 0), "memfd_create": (319, b"x", 0),
                 "unshare": (272, 0x10000000), "ptrace": (101, 16, args[0], 0, 0),
                 "shmget": (29, 0, 1 << 20, 0o1666), "msgget": (68, 0, 0o1666),
                 "mq_open": (240, b"channel", 0o100 | 2, 0o666, None)}
        for name, arguments in calls.items():
            result = libc.syscall(*arguments)
            value[name] = ctypes.get_errno() if result < 0 else "allowed"
    """
    seen = probe(runner, body, os.getpid())
    assert all(isinstance(value, int) for value in seen.values()), seen


def test_processes_of_the_uid_end_with_the_runner(root, settings):  # noqa: F811 - the fixture
    body = """
        import os, subprocess
        subprocess.Popen(["sleep", "931"], start_new_session=True)
        value = os.getuid()
    """
    try:
        runner = SandboxRunner(root, settings, mode="confined")
    except SandboxError as error:
        pytest.skip(f"the confined mode cannot start here: {error}")
    with runner:
        uid = probe(runner, body)
    survivors = [pid for pid in os.listdir("/proc") if pid.isdigit() and _owner(pid) == uid]
    assert survivors == []


def _owner(pid):
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except FileNotFoundError:
        return None


def test_a_network_socket_on_the_host_side_is_not_reached(confined):
    runner, _ = confined
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.5)
        body = """
            import socket
            try:
                socket.create_connection(("127.0.0.1", args[0]), timeout=2).close()
                value = "connected"
            except OSError as error:
                value = error.errno
        """
        assert isinstance(probe(runner, body, server.getsockname()[1]), int)
        with pytest.raises(socket.timeout):
            server.accept()


def test_concurrent_sandboxes_have_their_own_uid_and_scratch(confined, root,  # noqa: F811
                                                              settings):
    first, _ = confined
    planted = probe(first, """
        import os
        path = os.path.join(os.environ["HOME"], "planted")
        with open(path, "w") as file:
            file.write("for the next grading")
        os.chmod(path, 0o644)
        value = path
    """)
    with SandboxRunner(root, settings, mode="confined") as second:
        assert second.environment["uid"] != first.environment["uid"]
        seen = probe(second, OPEN_ERRNO, [planted, os.path.dirname(planted)], "r")
    assert all(isinstance(value, int) for value in seen.values()), seen
