"""Start the child's command as a child subreaper, and kill all it started when told or orphaned.

Run by ``child.Child`` as a standalone script (standard library only), as the grader's
own user, in front of every isolation mode's command::

    python -I -S -B reaper.py LIFELINE_FD -- ARGV...

It marks itself a child subreaper (``PR_SET_CHILD_SUBREAPER``), so every process the
command starts that loses its parent — a double-forked daemon, a fork bomb's children,
the jail's PID 1 once ``unshare`` is gone — becomes its child instead of init's. When
the command ends, or when the grader closes the lifeline pipe (it is done with the
child, or it ended, however: the kernel closes the pipe of a killed grader too), it
kills every process it can still find below itself, until none is left, then exits
with the command's status (``128 + signal`` when a signal ended it).

Should the reaper itself be killed (the OOM killer; in the ``"none"`` mode, where the
child runs as the same user, the child itself), the kernel kills the command too
(``PR_SET_PDEATHSIG``), and with it the namespace modes' jail. Processes the command
started in the ``"none"`` mode escape then: that mode says so in its description.
"""

import ctypes
import os
import select
import signal
import sys
import time

PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
POLL_SECONDS = 0.01
FAILED = 97

_libc = ctypes.CDLL(None, use_errno=True)


def main(lifeline, argv):
    """Run ``argv`` under this subreaper until it ends or the lifeline closes.

    Parameters
    ----------
    lifeline : int
        The read end of a pipe the grader holds open while the child may run.
    argv : list of str
    """
    if _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print(f"sandbox setup failed: PR_SET_CHILD_SUBREAPER: "
              f"{os.strerror(ctypes.get_errno())}", file=sys.stderr, flush=True)
        os._exit(FAILED)
    reaper = os.getpid()
    command = os.fork()
    if command == 0:
        os.close(lifeline)
        try:
            _die_with(reaper)
            os.execvp(argv[0], argv)
        except OSError as error:
            print(f"sandbox setup failed: {argv[0]}: {error}", file=sys.stderr, flush=True)
        os._exit(FAILED)
    # Only the command may hold the request and reply pipes: the grader sees its end.
    for fd in [int(name) for name in os.listdir("/proc/self/fd")]:
        if fd > 2 and fd != lifeline:
            try:
                os.close(fd)
            except OSError:  # the listing's own descriptor, closed already
                pass
    status = _wait(command, lifeline)
    if status is None:
        _kill(command)
    status = _kill_all(command, status)
    code = os.waitstatus_to_exitcode(status)
    os._exit(128 - code if code < 0 else code)


def _die_with(reaper):
    """In the command's process: be killed when ``reaper`` ends (even if it already has)."""
    if _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_PDEATHSIG")
    if os.getppid() != reaper:
        os._exit(FAILED)


def _wait(command, lifeline):
    """The command's wait status once it ends, or None when the lifeline closes first."""
    poller = select.poll()
    poller.register(lifeline, select.POLLIN)
    while True:
        pid, status = os.waitpid(command, os.WNOHANG)
        if pid == command:
            return status
        if poller.poll(POLL_SECONDS * 1000):
            return None


def _kill_all(command, status):
    """Kill and reap every process below this one; the command's wait status."""
    while True:
        for pid in _children():
            _kill(pid)
        try:
            while True:
                pid, reaped = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                if pid == command:
                    status = reaped
        except ChildProcessError:
            return status
        time.sleep(POLL_SECONDS)


def _children():
    """Pids of this process's children (orphans adopted as a subreaper included)."""
    pids = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children", encoding="ascii") as file:
                pids += [int(pid) for pid in file.read().split()]
        except OSError:
            continue
    return pids


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: reaper.py LIFELINE_FD -- ARGV...")
    main(int(sys.argv[1]), sys.argv[3:])
