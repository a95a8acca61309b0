"""The child's memory cgroup: found in the layouts users meet, bounding what the kernel counts,
and leaving nothing behind. The tests that make a group need a writable memory cgroup (root
on a host with the hybrid or the v2 layout); elsewhere they skip and say why."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from autograder.sandbox import cgroup

# This host as its grader sees it: the hybrid layout, the v1 memory controller in a
# sub-tree of the hierarchy, an empty v2 hierarchy at /sys/fs/cgroup/unified.
HYBRID_MOUNTINFO = """\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""
HYBRID_CGROUPS = "9:name=systemd:/\n4:memory:/process_api/28b1\n1:cpu:/\n0::/\n"
# A default Docker container on that host: its own sub-tree shown at the mount point.
CONTAINER_MOUNTINFO = ("78 74 0:32 /docker/d1a8 /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,"
                       "relatime - cgroup cgroup rw,memory\n")
CONTAINER_CGROUPS = "4:memory:/docker/d1a8\n1:cpu:/docker/d1a8\n0::/docker/d1a8\n"
# A systemd host (cgroup v2 only), a user's service whose cgroup is delegated.
UNIFIED_MOUNTINFO = ("26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - "
                     "cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n")
UNIFIED_CGROUPS = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/grader.service\n"


def test_the_memory_hierarchies_of_the_layouts_users_meet():
    assert cgroup.hierarchies(HYBRID_MOUNTINFO, HYBRID_CGROUPS) == [
        cgroup.Hierarchy(2, "/sys/fs/cgroup/unified", "/", "/"),
        cgroup.Hierarchy(1, "/sys/fs/cgroup/memory", "/", "/process_api/28b1")]
    [container] = cgroup.hierarchies(CONTAINER_MOUNTINFO, CONTAINER_CGROUPS)
    assert container == cgroup.Hierarchy(1, "/sys/fs/cgroup/memory", "/docker/d1a8",
                                          "/docker/d1a8")
    [unified] = cgroup.hierarchies(UNIFIED_MOUNTINFO, UNIFIED_CGROUPS)
    assert unified.own.endswith("/grader.service") and unified.mount_root == "/"


def test_groups_are_made_in_the_graders_own_cgroup_then_at_the_top_as_root():
    container = cgroup.Hierarchy(1, "/sys/fs/cgroup/memory", "/docker/d1a8", "/docker/d1a8")
    assert container.folders(as_root=True) == [Path("/sys/fs/cgroup/memory")]
    hybrid = cgroup.Hierarchy(1, "/sys/fs/cgroup/memory", "/", "/process_api/28b1")
    assert hybrid.folders(as_root=False) == [Path("/sys/fs/cgroup/memory/process_api/28b1")]
    assert hybrid.folders(as_root=True)[1:] == [Path("/sys/fs/cgroup/memory")]
    # a cgroup outside what the mount shows (another cgroup namespace) is not guessed at
    elsewhere = cgroup.Hierarchy(2, "/sys/fs/cgroup", "/docker/d1a8", "/system.slice")
    assert elsewhere.folders(as_root=False) == []


def test_sizes_in_words():
    assert [cgroup.size_text(mib) for mib in (4096, 768, 1024, 1536)] == [
        "4 GiB", "768 MiB", "1 GiB", "1536 MiB"]


@pytest.fixture
def group():
    """A 64 MiB group, removed afterwards."""
    try:
        made = cgroup.MemoryGroup.create(64)
    except cgroup.Unavailable as reason:
        pytest.skip(f"no memory cgroup can be made on this machine: {reason}")
    yield made
    made.remove()


def _run_in(group, source):
    return subprocess.run(group.joined([sys.executable, "-c", source]), timeout=60)


def test_a_group_stops_a_process_over_its_limit_and_counts_the_kill(group):
    assert group.level in ("cgroup v2 memory.max 64 MiB", "cgroup v1 memory.limit_in_bytes 64 MiB")
    assert _run_in(group, "data = bytearray(16 << 20)").returncode == 0
    assert group.oom_kills() == 0
    assert _run_in(group, "data = bytearray(200 << 20)").returncode == -9
    assert group.oom_kills() == 1


def test_a_group_counts_the_tmpfs_pages_that_the_address_space_limit_misses(group):
    # A file in shared memory holds the kernel's memory after its writer has unmapped it.
    shared = Path("/dev/shm") / f"cgroup-test-{uuid.uuid4().hex}"
    if not os.path.ismount("/dev/shm"):
        pytest.skip("/dev/shm is not a tmpfs here")
    try:
        source = (f"with open({str(shared)!r}, 'wb') as file:\n"
                  "    for _ in range(200):\n"
                  "        file.write(bytes(1 << 20))\n")
        assert _run_in(group, source).returncode == -9
        assert group.oom_kills() == 1
        assert shared.stat().st_size < 64 << 20
    finally:
        shared.unlink(missing_ok=True)


def test_removing_a_group_kills_every_process_left_in_it(group):
    # A daemon that left its parent and session: only the group still knows it.
    started = _run_in(group, "import os, time\n"
                             "if os.fork() == 0:\n"
                             "    os.setsid()\n"
                             "    time.sleep(600)\n")
    assert started.returncode == 0
    procs = group.path / "cgroup.procs"
    [daemon] = [int(pid) for pid in procs.read_text().split()]
    group.remove()
    assert not group.path.exists()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{daemon}").exists() and _state(daemon) != "Z":
        assert time.monotonic() < deadline, f"process {daemon} still runs"
        time.sleep(0.05)


def _state(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_groups_left_by_a_killed_grader_are_swept(group):
    # pid 999999999 is above any pid_max: no grader of that pid runs
    left = group.path.parent / f"{cgroup.GROUP_PREFIX}-999999999-1"
    left.mkdir()
    try:
        cgroup.MemoryGroup.create(64).remove()
        assert not left.exists()
    finally:
        if left.exists():
            left.rmdir()
