"""The seccomp baseline of every isolated mode this machine has, the order of the modes and
``isolation_minimum``, and the Landlock rules of the confined mode (built on any machine)."""

import os
import shutil

import pytest

from autograder import paths
from autograder.sandbox import SandboxError, SandboxRunner, isolation
from test_isolation import probe, root  # noqa: F401 - the fixture

MODES = [mode for mode in ("root", "userns", "confined")
         if shutil.which("unshare") or mode == "confined"]
# x86-64 numbers, raw so that no C library wrapper stands between the call and the filter.
CALLS = {
    "keyctl": (250, 0, -4, 0), "add_key": (248, "user", "planted", "secret", 6, -4),
    "request_key": (249, "user", "planted", None, 0), "memfd_create": (319, "bomb", 0),
    "unshare": (272, 0x10000000), "setns": (308, 0, 0),
    # CLONE_NEWUSER | CLONE_FS: EINVAL from the kernel, so no process is ever made
    "clone_newuser": (56, 0x10000000 | 0x200, 0, 0, 0, 0),
    "ptrace": (101, 16, 1, 0, 0), "process_vm_readv": (310, 1, 0, 0, 0, 0, 0),
    "mount": (165, "none", "/tmp", "tmpfs", 0, None), "bpf": (321, 0, 0, 0),
    "perf_event_open": (298, 0, 0, -1, -1, 0), "io_uring_setup": (425, 1, 0),
    "userfaultfd": (323, 0),
}
# Calls that succeed, or fail otherwise than with EPERM, without the filter (harmless as
# root on the host): they show that the EPERM seen in the sandbox is the filter's.
WITHOUT_FILTER = ("keyctl", "memfd_create", "clone_newuser", "io_uring_setup")
SYSCALLS = """
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    value = {}
    for name, arguments in args[0].items():
        result = libc.syscall(*[item.encode() if isinstance(item, str) else item
                                for item in arguments])
        value[name] = ctypes.get_errno() if result < 0 else "allowed"
    value["cmdline"] = open("/proc/1/cmdline", "rb").read().decode() if args[1] else ""
"""


@pytest.fixture(scope="module", params=MODES)
def sandboxed(request, root, settings):  # noqa: F811 - the imported fixture
    if os.uname().machine != "x86_64":
        pytest.skip("the raw system call numbers of this test are x86-64's")
    try:
        runner = SandboxRunner(root, settings, mode=request.param)
    except SandboxError as error:
        pytest.skip(f"the {request.param} mode cannot start here: {error}")
    with runner:
        yield request.param, runner


def test_the_baseline_denies_namespaces_keyrings_ptrace_mounts_and_memfd(sandboxed):
    mode, runner = sandboxed
    seen = probe(runner, SYSCALLS, CALLS, mode != "confined")
    refused = {name: seen[name] for name in CALLS}
    assert refused == dict.fromkeys(CALLS, 1), refused  # EPERM


def test_the_calls_are_refused_by_the_filter_not_by_the_kernel(root, settings):  # noqa: F811
    if _filtered_already():
        pytest.skip("the grader itself runs under a seccomp filter (a container's), which "
                    "may refuse these calls too")
    with SandboxRunner(root, settings, mode="none") as unfiltered:
        seen = probe(unfiltered, SYSCALLS, {name: CALLS[name] for name in WITHOUT_FILTER}, False)
    assert all(seen[name] != 1 for name in WITHOUT_FILTER), seen


def test_pid_1_names_no_folder_of_the_grading(sandboxed):
    mode, runner = sandboxed
    if mode == "confined":
        pytest.skip("the confined child cannot read /proc at all (Landlock)")
    cmdline = probe(runner, SYSCALLS, {}, True)["cmdline"]
    assert "jail.py" in cmdline and "sandbox-" not in cmdline and "{" not in cmdline
    assert str(paths.REPO_ROOT) not in cmdline and "/tmp" not in cmdline


def test_modes_below_the_minimum_are_not_tried():
    assert "none" not in isolation.candidate_modes("confined")
    assert set(isolation.candidate_modes("userns")) <= {"root", "userns"}
    needs = isolation.requirements("userns")
    assert "CAP_SYS_ADMIN" in needs and "unprivileged user namespaces" in needs
    assert "Landlock" not in needs and "Landlock" in isolation.requirements("confined")


def test_below_the_minimum_the_runner_refuses_and_names_what_is_missing(root,  # noqa: F811
                                                                         settings_with):
    try:
        with SandboxRunner(root, settings_with(limits=dict(isolation_minimum="root"))) as runner:
            reached = runner.isolation
    except SandboxError as error:
        assert "CAP_SYS_ADMIN" in str(error) and "isolation 'root' or better" in str(error)
    else:
        pytest.skip(f"this machine reaches the root mode ({reached})")


def test_landlock_rules_leave_out_hidden_paths_inside_allowed_folders(tmp_path):
    site = tmp_path / "site-packages"
    for name in ("numpy", "solutions", "autograder", "scipy"):
        (site / name).mkdir(parents=True)
    (site / "autograder" / "items").mkdir()
    (site / "grading.toml").write_text("")
    (site / "six.py").write_text("")
    hidden = {str(site / "solutions"), str(site / "autograder" / "items"),
              str(site / "grading.toml"), str(tmp_path)}
    rules = isolation._allowed("read", str(site), hidden)
    assert ["list", str(site)] in rules and ["list", str(site / "autograder")] in rules
    allowed = {path for kind, path in rules if kind == "read"}
    assert allowed == {str(site / "numpy"), str(site / "scipy"), str(site / "six.py")}
    assert isolation._allowed("read", str(site / "numpy"), hidden) == [
        ["read", str(site / "numpy")]]


def _filtered_already():
    """Whether this process runs under a seccomp filter ("Seccomp: 2" in its status)."""
    with open("/proc/self/status", encoding="ascii") as status:
        return any(line.split() == ["Seccomp:", "2"] for line in status)
