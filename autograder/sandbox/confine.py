"""Confine the process that is about to become the worker, then exec it.

Standard library only: it runs in the jail after ``pivot_root`` (imported by
``jail.py``), and as the launcher of the ``"confined"`` isolation mode, started by
the grader as a standalone script in a private folder::

    python -I -S -B confine.py          # reads and deletes ./launcher.json

The configuration is a file in the launcher's working folder, read and removed
before any student code runs, so that nothing on the command line (which every
process can read in ``/proc/PID/cmdline``) names the grading's folders.

Steps, in an order the kernel requires (each later one needs the earlier):

1. Landlock (``"confined"`` only): a ruleset listing the only paths the worker may
   read (the interpreter, the site-packages folders, the worker and the student's
   package, system folders), write (a private scratch folder) or use as devices
   (``/dev/null`` ...). It is built while still root, because the paths are opened
   as the launcher (the interpreter may sit under a folder only root can cross).
   Where the kernel's Landlock ABI has them, TCP bind/connect and signals and
   abstract UNIX sockets reaching outside the sandbox are denied too.
2. ``setgroups([])``, ``setresgid``, ``setresuid``: an unprivileged uid, which
   cannot signal or ptrace the grader, nor read its files (the DAC permissions).
3. ``PR_SET_NO_NEW_PRIVS``: no set-uid binary gives the privileges back, and the
   two filters below may be installed without ``CAP_SYS_ADMIN``.
4. ``landlock_restrict_self``, then the seccomp filter: raw BPF that the trusted
   grader compiled with libseccomp (``autograder.sandbox.syscall_filter``), loaded
   with one ``prctl``. The filter is applied last, so it may deny the very calls
   the steps above needed.

Why hand-written ctypes for Landlock rather than a PyPI binding: the kernel's
Landlock interface is three system calls and three structures, documented in
``landlock(7)`` and ``Documentation/userspace-api/landlock.rst``; the one binding on
PyPI (``landlock`` 1.0.0.dev5, alpha, one author) knows only the file-system rights
of ABI 1-5 (no TCP rules, no scopes), leaves ``landlock_path_beneath_attr`` unpacked,
and reports stale ``errno`` values as failures of calls that succeeded. This module
cannot import third-party code anyway: in the jail, after ``pivot_root``, no
site-packages folder of the grader is reachable. Seccomp filters, where getting the
BPF right is the hard part, are compiled by the maintained libseccomp instead.

A failure is printed to stderr (the grader's output capture) with exit status 97.
"""

import base64
import ctypes
import json
import os
import stat
import sys

CONFIG_FILE = "launcher.json"  # read by jail.py too
SETUP_FAILED = 97
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
BPF_INSTRUCTION_BYTES = 8
# Landlock (include/uapi/linux/landlock.h); the syscall numbers are the same on every
# architecture that has them.
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_RULE_PATH_BENEATH = 1, 1
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
# The file-system rights each ABI version knows (a ruleset may handle only those).
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1,
                    5: (1 << 16) - 1}
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
NET_ABI, SCOPE_ABI = 4, 6
# What each kind of rule of the configuration allows beneath its path.
RULE_RIGHTS = {
    "read": EXECUTE | READ_FILE | READ_DIR,
    "list": READ_DIR,
    "write": (EXECUTE | READ_FILE | READ_DIR | WRITE_FILE | TRUNCATE | REMOVE_DIR | REMOVE_FILE
              | MAKE_DIR | MAKE_REG | MAKE_SYM | REFER),
    "device": READ_FILE | WRITE_FILE | TRUNCATE,  # open(os.devnull, "w") truncates
}

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


class SetupError(RuntimeError):
    """A confinement step failed; the text names the step and the OS error."""


class _RulesetAttr(ctypes.Structure):
    """``struct landlock_ruleset_attr``; older kernels take a prefix of it."""

    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    """``struct landlock_path_beneath_attr`` (packed: 12 bytes)."""

    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _SockFilter(ctypes.Structure):
    """``struct sock_filter``: one classic BPF instruction."""

    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    """``struct sock_fprog``: a BPF program."""

    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def main():
    """As the ``"confined"`` launcher: read ``launcher.json`` from the working folder, exec.

    The file holds JSON with ``landlock`` (a list of [kind, path] rules, see
    ``RULE_RIGHTS``), ``uid``, ``gid``, ``seccomp`` (base64 BPF), ``argv``, ``env``
    and ``cwd``.
    """
    try:
        config = read_config()
        ruleset = landlock_ruleset(config["landlock"])
        drop_privileges(config["uid"], config["gid"])
        forbid_new_privileges()
        restrict_self(ruleset)
        load_filter(config["seccomp"])
        os.chdir(config["cwd"])
        os.execve(config["argv"][0], config["argv"], config["env"])
    except (OSError, SetupError, ValueError, KeyError) as error:
        print(f"sandbox setup failed: {error}", file=sys.stderr, flush=True)
    os._exit(SETUP_FAILED)


def landlock_abi():
    """The kernel's Landlock ABI version, 0 when it has none (or it is disabled).

    Returns
    -------
    int
    """
    version = libc.syscall(LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                            ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return max(version, 0)


def landlock_ruleset(rules):
    """A Landlock ruleset that allows exactly ``rules`` (and no TCP, no outside signals).

    Parameters
    ----------
    rules : list of [str, str]
        ``[kind, path]`` with kind a key of ``RULE_RIGHTS``; rights a kind gives
        that cannot apply to a non-folder path are dropped for that path.

    Returns
    -------
    int
        The ruleset's descriptor.

    Raises
    ------
    SetupError
        When the kernel has no Landlock, or a rule is refused.
    """
    abi = landlock_abi()
    if abi < 1:
        raise SetupError("Landlock is not available (kernel >= 5.13 with landlock in its "
                         "LSM list is needed)")
    attr = _RulesetAttr(FS_RIGHTS_BY_ABI[min(abi, max(FS_RIGHTS_BY_ABI))],
                        NET_BIND_TCP | NET_CONNECT_TCP if abi >= NET_ABI else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= SCOPE_ABI else 0)
    size = 24 if abi >= SCOPE_ABI else 16 if abi >= NET_ABI else 8
    ruleset = check(libc.syscall(LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                                 ctypes.c_size_t(size), ctypes.c_uint32(0)),
                     "creating the Landlock ruleset")
    for kind, path in rules:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        try:
            rights = RULE_RIGHTS[kind] & attr.handled_access_fs
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                rights &= FILE_RIGHTS
            rule = _PathBeneathAttr(rights, fd)
            check(libc.syscall(LANDLOCK_ADD_RULE, ruleset,
                               ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(rule),
                               ctypes.c_uint32(0)), f"allowing {path} in Landlock")
        finally:
            os.close(fd)
    return ruleset


def restrict_self(ruleset):
    """Enforce a Landlock ruleset on this process and all it will start (needs no_new_privs).

    Parameters
    ----------
    ruleset : int or None
        From ``landlock_ruleset``; None: nothing to do.
    """
    if ruleset is None:
        return
    check(libc.syscall(LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)),
          "enforcing the Landlock ruleset")
    os.close(ruleset)


def drop_privileges(uid, gid):
    """Become ``uid``/``gid`` for good, with no supplementary groups (needs real root).

    Parameters
    ----------
    uid, gid : int
    """
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)


def forbid_new_privileges():
    """Set no_new_privs: exec never grants privileges again."""
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "setting no_new_privs")


def load_filter(program):
    """Install a seccomp filter on this process and all it will start (needs no_new_privs).

    Parameters
    ----------
    program : str
        Base64 of the raw BPF instructions (``seccomp_export_bpf``'s output).
    """
    code = base64.b64decode(program)
    count = len(code) // BPF_INSTRUCTION_BYTES
    instructions = (_SockFilter * count).from_buffer_copy(code)
    fprog = _SockFprog(count, instructions)
    check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0),
          "installing the seccomp filter")


def read_config():
    """The launcher's configuration: ``CONFIG_FILE`` of the working folder, read and removed.

    Returns
    -------
    dict
    """
    with open(CONFIG_FILE, encoding="utf-8") as file:
        config = json.load(file)
    os.unlink(CONFIG_FILE)
    return config


def check(result, step):
    """``result`` of a libc call; a SetupError naming ``step`` and errno when it failed."""
    if result < 0:
        raise SetupError(f"{step}: {os.strerror(ctypes.get_errno())}")
    return result


if __name__ == "__main__":
    main()
