"""The seccomp filter of the child: system calls student code never needs, denied.

Compiled here, in the trusted grader, with libseccomp (through ``pyseccomp``, a
small ctypes binding with the API of libseccomp's own Python module, which is not
on PyPI; libseccomp itself is the maintained part), and handed to the child as raw
BPF that ``confine.load_filter`` installs just before the worker's exec. libseccomp knows each architecture's system call numbers
and writes the architecture check (a call through another ABI, such as 32-bit
``int 0x80`` on x86-64, kills the process); hand-written BPF would have to.

Denied in every isolation mode (the call fails with ``EPERM``):

- new namespaces: ``unshare``, ``setns``, and ``clone`` with any ``CLONE_NEW*``
  flag (``clone3``, whose flags sit in memory a filter cannot read, fails with
  ``ENOSYS`` so that the C library falls back to ``clone``);
- the kernel keyrings (``keyctl``, ``add_key``, ``request_key``): a key planted by
  one grading's child would be readable by the next one's (same uid);
- reaching into other processes: ``ptrace``, ``process_vm_readv``/``writev``,
  ``pidfd_getfd``;
- mounting: ``mount``, ``umount2``, ``pivot_root`` and the new mount API;
- ``bpf``, ``perf_event_open``, ``userfaultfd``;
- memory the address-space limit does not count: ``memfd_create``, ``memfd_secret``;
- ``io_uring``, whose operations would bypass this filter.

In the ``"confined"`` mode, which shares the grader's network and IPC namespaces,
also ``socket`` for every address family but ``AF_UNIX``, and System V IPC and POSIX
message queues: a segment or queue left by one grading's child would reach the next
one's, and shared memory escapes the address-space limit.
"""

import errno
import socket
import tempfile

try:
    import pyseccomp
except (ImportError, RuntimeError) as error:  # RuntimeError: libseccomp.so not found
    pyseccomp = None
    _MISSING = str(error)

DENIED = ("unshare", "setns", "keyctl", "add_key", "request_key", "ptrace", "process_vm_readv",
          "process_vm_writev", "pidfd_getfd", "mount", "umount2", "pivot_root", "move_mount",
          "open_tree", "fsopen", "fsmount", "fsconfig", "fspick", "mount_setattr", "bpf",
          "perf_event_open", "userfaultfd", "memfd_create", "memfd_secret", "io_uring_setup",
          "io_uring_enter", "io_uring_register")
SHARED_NAMESPACE_CALLS = ("shmget", "shmat", "shmdt", "shmctl", "msgget", "msgsnd", "msgrcv",
                          "msgctl", "semget", "semop", "semtimedop", "semctl", "mq_open",
                          "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify",
                          "mq_getsetattr")
NAMESPACE_FLAGS = {"CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000,
                   "CLONE_NEWUTS": 0x04000000, "CLONE_NEWIPC": 0x08000000,
                   "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
                   "CLONE_NEWNET": 0x40000000}


class Unavailable(RuntimeError):
    """libseccomp cannot be used here; the text says what to install."""


def compile_filter(shared_namespaces):
    """The child's filter as raw BPF.

    Parameters
    ----------
    shared_namespaces : bool
        The child shares the grader's network and IPC namespaces: also deny
        ``socket`` for every family but ``AF_UNIX``, System V IPC and message queues.

    Returns
    -------
    bytes
        Classic BPF instructions (8 bytes each) for the native architecture.

    Raises
    ------
    Unavailable
        When ``pyseccomp`` or libseccomp is missing.
    """
    if pyseccomp is None:
        raise Unavailable(f"no seccomp filter can be built ({_MISSING}): install libseccomp "
                          "(Debian/Ubuntu: apt-get install libseccomp2) and the project's "
                          "dependencies (pip install -e .)")
    denied = pyseccomp.ERRNO(errno.EPERM)
    rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for name in DENIED:
        rules.add_rule(denied, name)
    for flag in NAMESPACE_FLAGS.values():
        rules.add_rule(denied, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    rules.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    if shared_namespaces:
        rules.add_rule(denied, "socket", pyseccomp.Arg(0, pyseccomp.NE, socket.AF_UNIX))
        for name in SHARED_NAMESPACE_CALLS:
            rules.add_rule(denied, name)
    with tempfile.TemporaryFile() as sink:
        rules.export_bpf(sink)
        sink.seek(0)
        return sink.read()
