"""Build the child's private root filesystem, drop privileges, then run the worker.

Run by ``unshare`` as a standalone script (standard library only, beside a copy of
``confine.py`` in the sandbox's private folder), as root inside new mount, PID,
network, IPC and UTS namespaces (and a user namespace when the grader is not root)::

    python -I -S -B jail.py          # reads and deletes ./launcher.json

The configuration is a file in the working folder rather than an argument, so that
this process, PID 1 of the child's namespace, shows nothing of the grading's folders
in ``/proc/1/cmdline``.

Steps: mount an empty tmpfs as the new root; copy this grading's own folders into it
(the worker, the student's package, the font cache); bind the allowed host folders
into it read-only (system folders, the Python installation, the site folders); mount
scratch tmpfs (``/tmp``, ``/dev/shm``), device nodes and a fresh ``/proc``; cover
hidden paths that fall inside a bound folder with empty mounts; ``pivot_root`` into
it and detach the host's root, so no path leads back. The kernel shows the host path
of every bind's source in ``/proc/self/mountinfo`` (its fourth field), which no mount
option hides: copies leave the grading's temporary folders out of it, so what it
names is the Python installation and the folders a student may import from.
Then this process stays as PID 1 (when it ends, the kernel kills every process left
in the namespace) and forks the worker, which drops to the unprivileged uid/gid —
with ``setresuid`` when we are real root, or by entering a further nested user and
mount namespace otherwise, which locks every mount above (the student, although
root-looking nowhere, could not unmount or move them) — sets no_new_privs, installs
the seccomp filter the grader compiled (``confine.load_filter``) and execs.

A failure is printed to stderr (the grader's output capture) with exit status 97.
"""

import os
import platform
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import confine  # noqa: E402 - the copy beside this file, found through the line above

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 0x20, 0x400, 0x800, 0x1000
MS_REC, MS_RELATIME = 0x4000, 0x200000
MNT_DETACH = 0x2
PR_SET_DUMPABLE = 4
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
PIVOT_ROOT_SYSCALL = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
# statvfs flags that a read-only remount of a bind must keep (the kernel refuses to
# clear them inside a user namespace).
KEPT_FLAGS = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
              (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME),
              (os.ST_RELATIME, MS_RELATIME))
SETUP_FAILED = confine.SETUP_FAILED
SetupError = confine.SetupError


def main():
    """Set up the jail described by ``launcher.json`` and run the worker in it.

    ``launcher.json``, in the working folder, holds JSON with ``new_root`` (an empty
    host folder), ``root_bytes`` (the new root's size), ``copies`` ([host folder, jail
    path]), ``binds`` ([host path, jail path]), ``symlinks`` ([jail path,
    target]), ``scratch`` ([jail path, bytes]), ``masks`` (jail paths),
    ``user_namespace`` (bool), ``mapped_from`` (the id of this user namespace that
    the worker's nested one maps its uid and gid to), ``uid``, ``gid``, ``seccomp``
    (base64 BPF), ``argv``, ``env``, ``cwd`` and ``keep_fds``.
    """
    try:
        config = confine.read_config()
        build_root(config)
        enter_root(config["new_root"])
    except (OSError, SetupError, ValueError) as error:
        print(f"sandbox setup failed: {error}", file=sys.stderr, flush=True)
        os._exit(SETUP_FAILED)
    pid = os.fork()
    if pid == 0:
        _exec_worker(config)
    for fd in config["keep_fds"]:
        os.close(fd)
    _reap_until(pid)


def build_root(config):
    """Populate the new root (still seen at ``config["new_root"]``) with mounts.

    Parameters
    ----------
    config : dict
        As in ``main``.
    """
    root = config["new_root"]
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, f"size={config['root_bytes']},mode=755")
    for source, path in config["copies"]:
        _parent(root + path)
        shutil.copytree(source, root + path, symlinks=True)
    for path, target in config["symlinks"]:
        _parent(root + path)
        os.symlink(target, root + path)
    binds = []
    for source, path in config["binds"]:
        _mount_point(root + path, directory=os.path.isdir(source))
        _mount(source, root + path, None, MS_BIND | MS_REC)
        binds.append(root + path)
    for path, size in config["scratch"]:
        _mount_point(root + path, directory=True)
        _mount("tmpfs", root + path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
    _mount_point(root + "/proc", directory=True)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for path in config["masks"]:
        _mask(root, path)
    for target in binds:
        _remount_read_only(target)


def enter_root(root):
    """Make ``root`` the root of this mount namespace and detach the old one.

    Parameters
    ----------
    root : str
    """
    number = PIVOT_ROOT_SYSCALL.get(platform.machine())
    if number is None:
        raise SetupError(f"pivot_root: unknown system call number on {platform.machine()}")
    os.chdir(root)
    confine.check(confine.libc.syscall(number, b".", b"."), "pivot_root")
    confine.check(confine.libc.umount2(b".", MNT_DETACH), "detaching the host root")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _exec_worker(config):
    """In the forked child: drop privileges and exec the worker; never returns."""
    try:
        if config["user_namespace"]:
            _enter_nested_user_namespace(config["uid"], config["gid"], config["mapped_from"])
        else:
            confine.drop_privileges(config["uid"], config["gid"])
        confine.forbid_new_privileges()
        confine.load_filter(config["seccomp"])
        os.chdir(config["cwd"])
        os.execve(config["argv"][0], config["argv"], config["env"])
    except (OSError, SetupError) as error:
        print(f"sandbox setup failed: starting the worker: {error}", file=sys.stderr, flush=True)
    os._exit(SETUP_FAILED)


def _enter_nested_user_namespace(uid, gid, mapped_from):
    """Become ``uid``/``gid`` in a new user+mount namespace; inherited mounts become locked.

    A process may map only its own ids into a namespace it enters, so it first becomes
    ``mapped_from`` (when that is not this namespace's root, the caller), and stays
    dumpable, so that its ``/proc/self`` files, where the maps are written, stay its own
    (as they are when it needs no change of uid).
    """
    if mapped_from:
        confine.drop_privileges(mapped_from, mapped_from)
        confine.check(confine.libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "PR_SET_DUMPABLE")
    confine.check(confine.libc.unshare(CLONE_NEWUSER | CLONE_NEWNS),
                  "entering a nested user namespace")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {mapped_from} 1"),
                       ("gid_map", f"{gid} {mapped_from} 1")):
        with open(f"/proc/self/{name}", "w", encoding="ascii") as file:
            file.write(text)


def _reap_until(worker):
    """As PID 1: reap every orphan until the worker ends, then exit with its status."""
    while True:
        pid, status = os.wait()
        if pid == worker:
            code = os.waitstatus_to_exitcode(status)
            os._exit(128 - code if code < 0 else code)


def _mask(root, path):
    """Cover a jail path with an empty read-only mount (tmpfs, or /dev/null for a file)."""
    target = root + path
    if os.path.isdir(target):
        _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k")
    elif os.path.lexists(target):
        _mount(root + "/dev/null", target, None, MS_BIND)
        _remount_read_only(target)


def _remount_read_only(target):
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY
    kept = os.statvfs(target).f_flag
    for statvfs_flag, mount_flag in KEPT_FLAGS:
        if kept & statvfs_flag:
            flags |= mount_flag
    _mount(None, target, None, flags)


def _mount_point(path, directory):
    if directory:
        os.makedirs(path, exist_ok=True)
    else:
        _parent(path)
        open(path, "a", encoding="ascii").close()


def _parent(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)


def _mount(source, target, fstype, flags, data=None):
    arguments = [_encoded(text) for text in (source, target, fstype)]
    confine.check(confine.libc.mount(*arguments, flags, _encoded(data)),
                  f"mount {source or ''} on {target}")


def _encoded(text):
    return None if text is None else text.encode()


if __name__ == "__main__":
    main()
