"""A memory cgroup for the child: memory bounded as the kernel counts it, and OOM kills proven.

``RLIMIT_AS`` bounds the child's address space, not what it makes the kernel hold
(pages of tmpfs files, shared memory). A memory cgroup counts every page charged to
its processes — anonymous memory, page cache, tmpfs and shared memory — and the
kernel kills one of them when the group would go over its limit; the group's
``oom_kill`` counter is the evidence from which the report names the memory limit.

Where a group can be made (``MemoryGroup.create``), best first:

cgroup v2
    A child of the grader's own cgroup, when the memory controller is available there
    and the grader may write it (a delegated cgroup: a systemd unit with
    ``Delegate=yes``, a container with a writable cgroup namespace), or, as root, of the
    hierarchy's root. The limit is ``memory.max`` (no swap, ``memory.oom.group``: an
    OOM kill ends the whole group); it is ended with ``cgroup.kill``.
cgroup v1
    The same in the memory controller's own hierarchy, as on a host with the hybrid
    layout: ``memory.limit_in_bytes`` (and ``memory.memsw.limit_in_bytes`` where swap
    is accounted); it is ended by killing its processes until none is left.

Elsewhere — a default Docker container mounts the cgroups read-only — ``create``
raises ``Unavailable`` with the reason, and the child is bounded by ``RLIMIT_AS``,
seccomp's denial of ``memfd_create`` and, in the namespace modes, its private
size-limited ``/tmp`` and ``/dev/shm``.

The command joins the group before it runs (``MemoryGroup.joined``), so that every
process it starts is counted; the reaper in front of it stays outside, so an OOM kill
never takes the process that cleans up.
"""

import itertools
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

MOUNTINFO = "/proc/self/mountinfo"
OWN_CGROUPS = "/proc/self/cgroup"
GROUP_PREFIX = "autograder-sandbox"
LIMIT_FILES = {2: "memory.max", 1: "memory.limit_in_bytes"}
# Written after the limit where the kernel offers them: no swap beyond the limit, and (v2)
# an OOM kill ends every process of the group at once.
EXTRA_SETTINGS = {2: (("memory.swap.max", "0"), ("memory.oom.group", "1")),
                  1: (("memory.memsw.limit_in_bytes", None),)}
EVENT_FILES = {2: "memory.events", 1: "memory.oom_control"}
KILL_SECONDS = 10.0
POLL_SECONDS = 0.01
# A shell that puts itself into the group, then becomes the command (same pid).
JOIN_SCRIPT = 'echo $$ > "$0" && exec "$@"'

_names = itertools.count(1)


class Unavailable(RuntimeError):
    """No memory cgroup can be made here; the text says why."""


def size_text(mib):
    """``mib`` MiB in words, e.g. ``"4 GiB"`` or ``"768 MiB"``.

    Parameters
    ----------
    mib : int

    Returns
    -------
    str
    """
    return f"{mib >> 10} GiB" if mib and mib % 1024 == 0 else f"{mib} MiB"


@dataclass(frozen=True)
class Hierarchy:
    """A mounted cgroup hierarchy that holds the memory controller.

    Attributes
    ----------
    version : int
        1 or 2.
    mount_point : str
        Where it is mounted here.
    mount_root : str
        The cgroup shown at ``mount_point`` (``/`` unless the mount shows a sub-tree).
    own : str
        This process's cgroup in it.
    """

    version: int
    mount_point: str
    mount_root: str
    own: str

    def folders(self, as_root):
        """Folders under which a group may be made: this process's cgroup, then (as root)
        the top of the mount.

        Parameters
        ----------
        as_root : bool

        Returns
        -------
        list of Path
        """
        inside = os.path.relpath(self.own, self.mount_root)
        candidates = [] if inside.startswith("..") else [Path(self.mount_point, inside)]
        if as_root:
            candidates.append(Path(self.mount_point))
        return list(dict.fromkeys(path.resolve() for path in candidates))


def hierarchies(mountinfo, own_cgroups):
    """The memory hierarchies of this process, cgroup v2 first.

    Parameters
    ----------
    mountinfo : str
        The text of ``/proc/self/mountinfo``.
    own_cgroups : str
        The text of ``/proc/self/cgroup``.

    Returns
    -------
    list of Hierarchy
    """
    v2_own = v1_memory = None
    for line in own_cgroups.splitlines():
        number, controllers, path = line.split(":", 2)
        if number == "0" and not controllers:
            v2_own = path
        elif "memory" in controllers.split(","):
            v1_memory = path
    found = []
    for line in mountinfo.splitlines():
        fields, _, tail = line.partition(" - ")
        fields, tail = fields.split(), tail.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        fstype, options = tail[0], tail[2].split(",")
        mount_root, mount_point = (_unescaped(field) for field in fields[3:5])
        if fstype == "cgroup2" and v2_own is not None:
            found.append(Hierarchy(2, mount_point, mount_root, v2_own))
        elif fstype == "cgroup" and "memory" in options and v1_memory is not None:
            found.append(Hierarchy(1, mount_point, mount_root, v1_memory))
    return sorted(found, key=lambda hierarchy: -hierarchy.version)


@dataclass(frozen=True)
class MemoryGroup:
    """A cgroup made for one sandbox, with a memory limit.

    Attributes
    ----------
    path : Path
        Its folder; removed by ``remove``.
    version : int
        1 or 2.
    limit_mib : int
    """

    path: Path
    version: int
    limit_mib: int

    @classmethod
    def create(cls, limit_mib):
        """Make a memory cgroup limited to ``limit_mib`` MiB, in the best place offered here.

        Parameters
        ----------
        limit_mib : int
            ``limits.memory_mib``.

        Returns
        -------
        MemoryGroup

        Raises
        ------
        Unavailable
            When no hierarchy here offers a writable place with the memory controller.
        """
        reasons = []
        try:
            with open(MOUNTINFO, encoding="utf-8") as file:
                mountinfo = file.read()
            with open(OWN_CGROUPS, encoding="utf-8") as file:
                own_cgroups = file.read()
        except OSError as error:
            raise Unavailable(f"cgroups cannot be read here: {error}") from None
        for hierarchy in hierarchies(mountinfo, own_cgroups):
            for parent in hierarchy.folders(os.geteuid() == 0):
                try:
                    return cls._made(parent, hierarchy.version, limit_mib)
                except OSError as error:
                    reasons.append(f"v{hierarchy.version} {parent}: {error.strerror or error}")
        raise Unavailable("no memory cgroup can be made here ("
                          + ("; ".join(reasons) or "no cgroup hierarchy holds the memory "
                             "controller") + ")")

    @classmethod
    def _made(cls, parent, version, limit_mib):
        """The group made under ``parent``; OSError when the kernel refuses a step."""
        if version == 2:
            _enable_memory(parent)
        _sweep(parent)
        path = parent / f"{GROUP_PREFIX}-{os.getpid()}-{next(_names)}"
        path.mkdir()
        group = cls(path, version, limit_mib)
        try:
            limit = str(limit_mib << 20)
            _write(path / LIMIT_FILES[version], limit)
            for name, value in EXTRA_SETTINGS[version]:
                if (path / name).exists():
                    _write(path / name, limit if value is None else value)
        except OSError:
            group.remove()
            raise
        return group

    @property
    def level(self):
        """The memory bound reached, for the instructor, e.g. ``"cgroup v2 memory.max 4 GiB"``."""
        return f"cgroup v{self.version} {LIMIT_FILES[self.version]} {size_text(self.limit_mib)}"

    def joined(self, argv):
        """``argv`` preceded by a shell that moves itself into this group, then execs it.

        Parameters
        ----------
        argv : list of str

        Returns
        -------
        list of str
        """
        return ["/bin/sh", "-c", JOIN_SCRIPT, str(self.path / "cgroup.procs"), *argv]

    def oom_kills(self):
        """How many processes of this group the kernel has killed for its memory limit.

        Returns
        -------
        int
            0 when the kernel does not count them (v1 before Linux 4.13).
        """
        try:
            text = (self.path / EVENT_FILES[self.version]).read_text(encoding="ascii")
        except OSError:
            return 0
        counts = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
        return int(counts.get("oom_kill", 0))

    def kill(self):
        """Kill every process in the group, until none is left (or ``KILL_SECONDS`` passed)."""
        kill_file = self.path / "cgroup.kill"
        deadline = time.monotonic() + KILL_SECONDS
        while (pids := self._pids()) and time.monotonic() < deadline:
            if kill_file.exists():
                _write(kill_file, "1")
            else:
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            time.sleep(POLL_SECONDS)

    def remove(self):
        """Kill what is left in the group and delete it (a no-op once it is gone).

        A group whose processes do not end within ``KILL_SECONDS`` (stuck in the kernel)
        is left in place, with a warning on stderr: the grading still reports.
        """
        if not self.path.exists():
            return
        self.kill()
        deadline = time.monotonic() + KILL_SECONDS
        while True:
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError as error:  # busy until its killed processes are gone
                if time.monotonic() > deadline:
                    print(f"autograder: the memory cgroup {self.path} could not be removed "
                          f"({error.strerror}); remove it with rmdir once its processes have "
                          "ended", file=sys.stderr)
                    return
                time.sleep(POLL_SECONDS)

    def _pids(self):
        try:
            text = (self.path / "cgroup.procs").read_text(encoding="ascii")
        except FileNotFoundError:
            return []
        return [int(pid) for pid in text.split()]


def fallback_level(address_space_mib, reason):
    """The memory bound of a child without a cgroup, for the instructor.

    Parameters
    ----------
    address_space_mib : int
        ``limits.address_space_mib``.
    reason : Unavailable
        Why no group could be made.

    Returns
    -------
    str
    """
    return f"RLIMIT_AS {size_text(address_space_mib)} only: {reason}"


def _enable_memory(parent):
    """Let the children of a cgroup v2 folder have memory limits (OSError if it may not)."""
    controllers = (parent / "cgroup.controllers").read_text(encoding="ascii").split()
    if "memory" not in controllers:
        raise OSError(0, "the memory controller is not available here (cgroup.controllers)")
    if "memory" not in (parent / "cgroup.subtree_control").read_text(encoding="ascii").split():
        _write(parent / "cgroup.subtree_control", "+memory")


def _sweep(parent):
    """Delete the empty groups that graders no longer running left in ``parent`` (killed ones)."""
    for path in parent.glob(f"{GROUP_PREFIX}-*-*"):
        pid = path.name[len(GROUP_PREFIX) + 1:].split("-")[0]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            try:
                path.rmdir()
            except OSError:  # still holds processes, or already gone
                pass


def _write(path, text):
    with open(path, "w", encoding="ascii") as file:
        file.write(text)


def _unescaped(field):
    r"""A mountinfo path with its octal escapes (``\040`` for a space) decoded."""
    return field.encode("latin-1").decode("unicode_escape")
