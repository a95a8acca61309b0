"""Unprivileged uids for the sandboxes: one per live sandbox on this machine.

A uid of its own makes every per-uid thing of the kernel per sandbox: the
``RLIMIT_NPROC`` count, the right to signal, and the sweep that ends a child — every
process of the uid is killed, however it detached itself (``setsid``, double fork).
Leases are ``flock``s on files in a folder only the grader's user can write, so
they end with the process that holds them, even when it is killed.

A root grader (the ``"root"`` and ``"confined"`` modes) leases from ``FIRST_UID``
on. A grader that is not root (``"userns"``) can give a child another uid only
through ``newuidmap``/``newgidmap`` (package uidmap) and the subordinate ids that
``/etc/subuid`` and ``/etc/subgid`` grant its user (``subordinate_ids``); without
them its children all run as its own uid.
"""

import fcntl
import os
import pwd
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FIRST_UID = 61000
COUNT = 1000
# One registry for every grader of the machine, whatever TMPDIR each was given (a grader
# with a TMPDIR of its own must still see the others' leases).
LOCKS = Path("/tmp") / f"autograder-sandbox-uids-{os.geteuid()}"
ID_MAPS = (Path("/etc/subuid"), Path("/etc/subgid"))
ID_MAPPERS = ("newuidmap", "newgidmap")
SWEEP = ("import os, signal, sys; uid = int(sys.argv[1]); os.setgroups([]); "
         "os.setresgid(uid, uid, uid); os.setresuid(uid, uid, uid)\n"
         "for _ in range(3):\n"
         "    try: os.kill(-1, signal.SIGKILL)\n"
         "    except ProcessLookupError: break")


class Exhausted(RuntimeError):
    """Every uid of the range is leased by a live sandbox."""


@dataclass(frozen=True)
class Lease:
    """A uid held by this process until ``release``.

    Attributes
    ----------
    uid : int
    gid : int
    fd : int
        The locked file's descriptor.
    """

    uid: int
    gid: int
    fd: int

    def release(self):
        """Kill every process of the uid, then give the uid back."""
        sweep(self.uid)
        os.close(self.fd)


@dataclass(frozen=True)
class SubordinateIds:
    """The first subordinate uid and gid this user may map, and how many of each.

    Attributes
    ----------
    uid, gid : int
    count : int
        Of uids and of gids alike (the smaller of the two grants).
    """

    uid: int
    gid: int
    count: int


def subordinate_ids():
    """The subordinate ids this (non-root) user may map into a user namespace, if any.

    Returns
    -------
    SubordinateIds or None
        None as root, without ``newuidmap``/``newgidmap``, under no_new_privs (which
        keeps them from gaining their privileges), or when ``/etc/subuid`` or
        ``/etc/subgid`` grants this user nothing.
    """
    if os.geteuid() == 0 or not all(shutil.which(name) for name in ID_MAPPERS):
        return None
    with open("/proc/self/status", encoding="ascii") as status:
        if any(line.split() == ["NoNewPrivs:", "1"] for line in status):
            return None
    try:
        name = pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        name = None
    ranges = [_first_range(path, {name, str(os.geteuid())}) for path in ID_MAPS]
    if None in ranges:
        return None
    (uid, uids), (gid, gids) = ranges
    return SubordinateIds(uid, gid, min(uids, gids, COUNT))


def _first_range(path, owners):
    """``(first, count)`` of the first line of ``path`` that grants one of ``owners``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.strip().split(":")
        if len(fields) == 3 and fields[0] in owners and all(map(str.isdigit, fields[1:])):
            first, count = int(fields[1]), int(fields[2])
            if count > 0:
                return first, count
    return None


def lease(subordinate=None):
    """Lease a uid no other live sandbox of this machine holds.

    Parameters
    ----------
    subordinate : SubordinateIds or None
        Lease one of these (with the gid at the same offset) rather than one of root's
        ``COUNT`` uids from ``FIRST_UID``.

    Returns
    -------
    Lease

    Raises
    ------
    Exhausted
        When all the uids are leased.
    OSError
        When the lock folder cannot be created, or is not this user's own.
    """
    LOCKS.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(LOCKS)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022 or not LOCKS.is_dir():
        raise PermissionError(f"{LOCKS} is not a folder owned and writable only by uid "
                              f"{os.geteuid()}; remove it")
    first, first_gid, count = ((FIRST_UID, FIRST_UID, COUNT) if subordinate is None else
                               (subordinate.uid, subordinate.gid, subordinate.count))
    start = os.getpid() % count
    for offset in range(count):
        uid = first + (start + offset) % count
        fd = os.open(LOCKS / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        sweep(uid)  # a grader killed earlier may have left processes of this uid behind
        return Lease(uid, first_gid + uid - first, fd)
    raise Exhausted(f"all {count} sandbox uids from {first} are in use")


def sweep(uid):
    """Kill every process running as ``uid`` (needs root; a no-op for other users).

    Parameters
    ----------
    uid : int
    """
    if os.geteuid() != 0:
        return
    subprocess.run([sys.executable, "-I", "-S", "-c", SWEEP, str(uid)],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)

