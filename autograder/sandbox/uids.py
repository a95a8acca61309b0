"""Unprivileged uids for the ``"root"`` and ``"confined"`` modes: one per live sandbox here.

A uid of its own makes every per-uid thing of the kernel per sandbox: the
``RLIMIT_NPROC`` count, the right to signal, and the sweep that ends a child — every
process of the uid is killed, however it detached itself (``setsid``, double fork).
Leases are ``flock``s on files in a folder only the grader's user can write, so
they end with the process that holds them, even when it is killed.
"""

import fcntl
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FIRST_UID = 61000
COUNT = 1000
# One registry for every grader of the machine, whatever TMPDIR each was given (a grader
# with a TMPDIR of its own must still see the others' leases).
LOCKS = Path("/tmp") / f"autograder-sandbox-uids-{os.geteuid()}"
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
    fd : int
        The locked file's descriptor.
    """

    uid: int
    fd: int

    def release(self):
        """Kill every process of the uid, then give the uid back."""
        sweep(self.uid)
        os.close(self.fd)


def lease():
    """Lease a uid no other live sandbox of this machine holds.

    Returns
    -------
    Lease

    Raises
    ------
    Exhausted
        When all ``COUNT`` uids are leased.
    OSError
        When the lock folder cannot be created, or is not this user's own.
    """
    LOCKS.mkdir(mode=0o700, exist_ok=True)
    info = os.lstat(LOCKS)
    if info.st_uid != os.geteuid() or info.st_mode & 0o022 or not LOCKS.is_dir():
        raise PermissionError(f"{LOCKS} is not a folder owned and writable only by uid "
                              f"{os.geteuid()}; remove it")
    start = os.getpid() % COUNT
    for offset in range(COUNT):
        uid = FIRST_UID + (start + offset) % COUNT
        fd = os.open(LOCKS / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        sweep(uid)  # a grader killed earlier may have left processes of this uid behind
        return Lease(uid, fd)
    raise Exhausted(f"all {COUNT} sandbox uids from {FIRST_UID} are in use")


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

