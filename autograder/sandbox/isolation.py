"""How the child process is isolated on this machine, and the command line that starts it.

Modes, best first (``candidate_modes``):

``"root"``
    The grader runs as root (Gradescope, CI). ``unshare`` (util-linux) gives the child
    new mount, PID, network, IPC and UTS namespaces; ``jail.py`` builds a private root
    filesystem holding only an allowlist (system folders, the Python installation,
    numpy/h5py, the worker, the student's package, scratch ``/tmp``), then drops to
    uid/gid 65534 with no_new_privs.
``"userns"``
    Not root, unprivileged user namespaces allowed: the same inside a new user
    namespace whose root is the calling user; the worker enters a further nested user
    namespace as uid 65534, which locks the mounts.
``"confined"``
    Root without namespaces, as in a default Docker container (no ``CAP_SYS_ADMIN``,
    Docker's seccomp profile): ``confine.py`` gives the child a uid of its own
    (``uids``), a Landlock ruleset that lets it read only the Python installation,
    the site-packages folders, the system folders, the worker and the student's
    package (and write only a private scratch folder), and no network sockets.
``"none"``
    Nothing else works: a new session, resource limits and a minimal environment only.

Every mode but ``"none"`` installs the seccomp filter of ``syscall_filter`` before
the worker starts. A mode is judged to work when a child started in it says hello
(``runner`` tries them in order and remembers the first that works, ``remember``);
modes below ``limits.isolation_minimum`` are not tried (``candidate_modes``), so a
machine that cannot isolate well enough refuses to grade instead of grading silently.
"""

import base64
import functools
import importlib.util
import json
import os
import shutil
import stat
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import blas, config, paths
from . import confine, syscall_filter, uids, worker

MODES = config.ISOLATION_LEVELS
DESCRIPTIONS = {
    "root": "root: mount namespace (private root) + pid namespace + uid 65534 + no network "
            "+ seccomp",
    "userns": "userns: user namespace + mount namespace (private root, locked) + pid namespace "
              "+ uid 65534 + no network + seccomp",
    "confined": "confined: uid of its own + Landlock (reads only Python, site-packages and its "
                "own files) + seccomp (no network sockets); no namespaces",
    "none": "none (new session + resource limits only)",
}
# What each mode needs of the machine, for the error of a grader that cannot reach
# ``isolation_minimum``.
REQUIREMENTS = {
    "root": "namespaces need root with CAP_SYS_ADMIN (outside a container, or a container "
            "started with --cap-add SYS_ADMIN and a seccomp profile that allows unshare) and "
            "util-linux unshare",
    "userns": "unprivileged user namespaces need util-linux unshare, "
              "kernel.unprivileged_userns_clone=1 and a seccomp profile that allows unshare",
    "confined": "the confined mode needs root (to switch to an unprivileged uid), Landlock "
                "(kernel >= 5.13 with landlock in the LSM list), libseccomp, and a Python "
                "installation other users may read",
    "none": "",
}
UNPRIVILEGED_ID = 65534
SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")
DEVICES = ("null", "zero", "full", "random", "urandom")
DEVICE_LINKS = (("/dev/fd", "/proc/self/fd"), ("/dev/stdin", "/proc/self/fd/0"),
                ("/dev/stdout", "/proc/self/fd/1"), ("/dev/stderr", "/proc/self/fd/2"))
REQUIRED_PACKAGES = ("numpy", "h5py")
CHILD_MODULES = ("protocol.py", "dispatch.py", "worker.py")
CHILD_PACKAGE = "gradersandbox"
LAUNCHERS = ("jail.py", "confine.py")
IN_JAIL = {"python": "/sandbox/python", "site": "/sandbox/site", "lib": "/sandbox/lib",
           "package": "/sandbox/package"}
PASSED_VARIABLES = ("OPENBLAS_CORETYPE",)

_remembered = {}


class Unavailable(RuntimeError):
    """This machine cannot run a child in the requested mode; the text says why."""


def candidate_modes(minimum="none"):
    """Modes worth trying here, best first (the remembered working mode alone, once known).

    Parameters
    ----------
    minimum : str
        The worst mode acceptable (``limits.isolation_minimum``); worse ones are left out.

    Returns
    -------
    list of str
        May be empty when nothing here is good enough: see ``requirements``.
    """
    acceptable = MODES[:MODES.index(minimum) + 1]
    if _remembered.get("mode") in acceptable:
        return [_remembered["mode"]]
    root = os.geteuid() == 0
    namespaces = ["root"] * root + ["userns"] if shutil.which("unshare") else []
    return [mode for mode in namespaces + ["confined"] * root + ["none"] if mode in acceptable]


def requirements(minimum):
    """What the machine needs for a mode at least as good as ``minimum``, for an error.

    Parameters
    ----------
    minimum : str

    Returns
    -------
    str
    """
    needs = [REQUIREMENTS[mode] for mode in MODES[:MODES.index(minimum) + 1] if REQUIREMENTS[mode]]
    return (f"grading.toml asks for isolation {minimum!r} or better, and this machine gives "
            f"none of them: {'; or '.join(needs)}")


def remember(mode, rejected):
    """Remember the mode that worked, and why better ones did not, for later runners.

    Parameters
    ----------
    mode : str
    rejected : list of str
        ``"mode: reason"`` for each better mode that failed.
    """
    _remembered.update(mode=mode, rejected=list(rejected))


def describe(mode):
    """The human-readable isolation of ``mode`` (with the reasons for a fallback).

    Parameters
    ----------
    mode : str

    Returns
    -------
    str
    """
    rejected = _remembered.get("rejected") if _remembered.get("mode") == mode else None
    if mode == "none" and rejected:
        return f"{DESCRIPTIONS[mode]}; better modes failed: {'; '.join(rejected)}"
    return DESCRIPTIONS[mode]


@dataclass(frozen=True)
class Runtime:
    """A private folder holding what the child may see.

    Attributes
    ----------
    folder : Path
        Removed by ``remove``; holds copies of ``jail.py`` and ``confine.py`` (the
        launchers) and, while a child starts, the launcher's configuration.
    lib : Path
        Holds the package ``gradersandbox`` (copies of protocol, dispatch, worker).
    package : Path
        Holds a copy of the student's ``assignment`` package and ``captiondata``.
    new_root : Path
        An empty folder on which the jail mounts the child's root.
    scratch : Path
        The ``"confined"`` child's HOME and TMPDIR, writable by its uid only.
    lease : uids.Lease or None
        The ``"confined"`` child's uid (None unless the grader is root).
    """

    folder: Path
    lib: Path
    package: Path
    new_root: Path
    scratch: Path
    lease: uids.Lease | None

    @classmethod
    def create(cls, package_root):
        """Copy the worker and the staged package into a new private folder.

        Parameters
        ----------
        package_root : path-like
            A folder holding the staged package ``assignment/`` (and maybe ``captiondata/``).

        Returns
        -------
        Runtime

        Raises
        ------
        FileNotFoundError
            When ``package_root/assignment`` does not exist.
        """
        source = Path(package_root) / "assignment"
        if not source.is_dir():
            raise FileNotFoundError(f"{source} does not exist: stage the submission first "
                                    "(autograder.submission.stage)")
        folder = Path(tempfile.mkdtemp(prefix="sandbox-"))
        lease = uids.lease() if os.geteuid() == 0 else None
        runtime = cls(folder, folder / "lib", folder / "package", folder / "root",
                      folder / "scratch", lease)
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(source, runtime.package / "assignment", symlinks=True, ignore=ignore)
        captiondata = Path(package_root) / "captiondata"
        if not captiondata.is_dir():
            captiondata = Path(importlib.util.find_spec("captiondata").origin).parent
        runtime.package.joinpath("captiondata").mkdir()
        for module in captiondata.glob("*.py"):
            shutil.copy(module, runtime.package / "captiondata" / module.name)
        child_package = runtime.lib / CHILD_PACKAGE
        child_package.mkdir(parents=True)
        child_package.joinpath("__init__.py").write_text('"""The sandbox worker (a copy)."""\n')
        for name in CHILD_MODULES:
            shutil.copy(Path(__file__).with_name(name), child_package / name)
        for name in LAUNCHERS:
            shutil.copy(Path(__file__).with_name(name), folder / name)
        runtime.new_root.mkdir()
        runtime.scratch.mkdir(mode=0o700)
        if lease is not None:
            os.chown(runtime.scratch, lease.uid, lease.uid)
        for path in (runtime.lib, runtime.package):
            _make_world_readable(path)
        return runtime

    def remove(self):
        """End every process of the child's uid, give the uid back, delete the folder."""
        if self.lease is not None:
            self.lease.release()
        shutil.rmtree(self.folder, ignore_errors=True)


def command(mode, runtime, limits, fds, hidden_paths=()):
    """The argv, environment and working folder that start a child in ``mode``.

    Parameters
    ----------
    mode : str
        One of ``MODES``.
    runtime : Runtime
    limits : autograder.config.Limits
    fds : tuple of int
        The child's request (read) and reply (write) descriptors.
    hidden_paths : iterable of path-like
        Extra host paths the child must not see, on top of the repository, the
        reference, ``grading.toml`` and the grader's site-packages.

    Returns
    -------
    argv : list of str
    env : dict
    cwd : str

    Raises
    ------
    Unavailable
        When this Python installation cannot be mapped into the jail, no seccomp
        filter can be built, or the ``"confined"`` mode lacks root, Landlock or a
        Python installation other users may read.
    """
    if mode == "none":
        path = [*_package_folders(), str(runtime.package)]
        argv = worker_argv(_interpreter(), runtime.lib, limits, fds, path)
        return argv, child_environment(), str(runtime.package)
    if mode == "confined":
        _write_config(runtime.folder / confine.CONFIG_FILE,
                      _confined_config(runtime, limits, fds, hidden_paths))
        argv = [_interpreter(), "-I", "-S", "-B", "confine.py"]
        return argv, child_environment(), str(runtime.folder)
    _write_config(runtime.folder / confine.CONFIG_FILE,
                  _jail_config(mode == "userns", runtime, limits, fds, hidden_paths))
    flags = ["--user", "--map-root-user"] if mode == "userns" else []
    flags += ["--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
              "--net", "--ipc", "--uts"]
    argv = ["unshare", *flags, "--", _interpreter(), "-I", "-S", "-B", "jail.py"]
    return argv, child_environment(), str(runtime.folder)


def worker_argv(python, lib, limits, fds, path):
    """The command line of the worker.

    Parameters
    ----------
    python : str
        The interpreter, as the child sees it.
    lib : path-like
        The folder holding ``gradersandbox``, as the child sees it.
    limits : autograder.config.Limits
    fds : tuple of int
        Request and reply descriptors.
    path : list of str
        Folders appended to the child's ``sys.path``.

    Returns
    -------
    list of str
    """
    config = {
        "rlimits": {
            "RLIMIT_CPU": limits.cpu_seconds,
            "RLIMIT_AS": limits.address_space_mib << 20,
            "RLIMIT_NPROC": limits.max_processes,
            "RLIMIT_FSIZE": limits.max_file_size_mib << 20,
            "RLIMIT_CORE": 0,
        },
        "path": path,
        "limits": {"max_message_mib": limits.max_message_mib,
                   "max_array_elements": limits.max_array_elements},
        "request_fd": fds[0],
        "reply_fd": fds[1],
    }
    return [python, "-I", "-S", "-B", "-c", worker.BOOT, str(lib), json.dumps(config)]


def child_environment(extra=None):
    """The child's whole environment: a few neutral variables, single-threaded BLAS.

    Parameters
    ----------
    extra : dict or None
        Added on top.

    Returns
    -------
    dict
    """
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp",
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    env.update({name: "1" for name in blas.THREAD_VARIABLES})
    env.update({name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ})
    env.update(extra or {})
    return env


def _jail_config(user_namespace, runtime, limits, fds, hidden_paths):
    """The JSON configuration of ``jail.py``."""
    prefix = os.path.realpath(sys.base_prefix)
    python = os.path.relpath(_interpreter(), prefix)
    if python.startswith(".."):
        raise Unavailable(f"the interpreter {_interpreter()} is not inside {prefix}")
    binds, symlinks = [], list(DEVICE_LINKS)
    for name in SYSTEM_DIRS:
        host = "/" + name
        if os.path.islink(host):
            symlinks.append((host, os.readlink(host)))
        elif os.path.isdir(host):
            binds.append((host, host))
    binds += [(f"/dev/{name}", f"/dev/{name}") for name in DEVICES]
    binds += [(prefix, IN_JAIL["python"]), (str(runtime.lib), IN_JAIL["lib"]),
              (str(runtime.package), IN_JAIL["package"])]
    binds += [(folder, f"{IN_JAIL['site']}/{os.path.basename(folder)}")
              for folder in _package_folders(separately=True)]
    scratch_bytes = limits.max_file_size_mib << 20
    path = [IN_JAIL["site"], IN_JAIL["package"]]
    config = {
        "new_root": str(runtime.new_root),
        "binds": binds,
        "symlinks": symlinks,
        "scratch": [("/tmp", scratch_bytes), ("/dev/shm", scratch_bytes)],
        "masks": _masks(binds, hidden_paths),
        "user_namespace": user_namespace,
        "uid": UNPRIVILEGED_ID,
        "gid": UNPRIVILEGED_ID,
        "argv": worker_argv(f"{IN_JAIL['python']}/{python}", IN_JAIL["lib"], limits, fds, path),
        "env": child_environment({"LD_LIBRARY_PATH": f"{IN_JAIL['python']}/lib"}),
        "cwd": IN_JAIL["package"],
        "keep_fds": list(fds),
        "seccomp": _filter(shared_namespaces=False),
    }
    return config


def _confined_config(runtime, limits, fds, hidden_paths):
    """The JSON configuration of ``confine.py`` (the ``"confined"`` mode's launcher)."""
    if runtime.lease is None:
        raise Unavailable(REQUIREMENTS["confined"] + "; the grader is not root")
    if confine.landlock_abi() < 1:
        raise Unavailable("Landlock is not available: kernel >= 5.13 with landlock in the LSM "
                          "list is needed (the kernel here is " + os.uname().release + ")")
    uid = runtime.lease.uid
    prefix = os.path.realpath(sys.base_prefix)
    sites = _site_folders()
    for folder in [prefix, *sites]:
        _check_reachable(folder, uid)
    uids.sweep(uid)  # what an earlier child of this sandbox left running
    os.chmod(runtime.folder, 0o711)
    hidden = {os.path.realpath(path) for path in _grader_paths() + list(hidden_paths)}
    readable = [f"/{name}" for name in SYSTEM_DIRS if os.path.isdir(f"/{name}")]
    readable += [prefix, *sites, str(runtime.lib), str(runtime.package)]
    rules = [rule for folder in dict.fromkeys(os.path.realpath(path) for path in readable)
             for rule in _allowed("read", folder, hidden)]
    rules += [["write", str(runtime.scratch)]]
    rules += [["device", f"/dev/{name}"] for name in DEVICES]
    scratch = str(runtime.scratch)
    return {
        "landlock": rules,
        "uid": uid,
        "gid": uid,
        "seccomp": _filter(shared_namespaces=True),
        "argv": worker_argv(_interpreter(), runtime.lib, limits, fds,
                            [str(runtime.package), *sites]),
        "env": child_environment({"HOME": scratch, "TMPDIR": scratch,
                                  "LD_LIBRARY_PATH": f"{prefix}/lib"}),
        "cwd": str(runtime.package),
    }


def _allowed(kind, folder, hidden):
    """Landlock rules giving ``kind`` access to ``folder`` except to the hidden paths in it.

    Landlock only adds rights, so a folder holding a hidden path is split: it may only
    be listed (``"list"``, needed to import from it; names of files beneath it stay
    visible, their contents do not), and each entry but the hidden ones is allowed,
    recursively. Hidden paths that hold ``folder`` itself do not hide it.
    """
    inside = [path for path in hidden if path.startswith(folder.rstrip("/") + "/")]
    if not inside:
        return [[kind, folder]]
    rules = [["list", folder]]
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.path in hidden:
                continue
            if entry.is_dir(follow_symlinks=False):
                rules += _allowed(kind, entry.path, inside)
            else:
                rules.append([kind, entry.path])
    return rules


def _check_reachable(folder, uid):
    """Raise Unavailable unless other users may enter every folder above ``folder``."""
    for parent in [folder, *map(str, Path(folder).parents)]:
        mode = os.stat(parent).st_mode
        if not mode & stat.S_IXOTH:
            raise Unavailable(f"{folder} is inside {parent}, which other users cannot enter; "
                              f"the confined child runs as uid {uid}: install Python and the "
                              "packages where every user may read them (e.g. /usr/local, /opt)")


@functools.cache
def _filter(shared_namespaces):
    """The seccomp filter as base64 text, compiled once per process."""
    try:
        program = syscall_filter.compile_filter(shared_namespaces)
    except syscall_filter.Unavailable as error:
        raise Unavailable(str(error)) from None
    return base64.b64encode(program).decode("ascii")


def _write_config(path, config):
    """Write a launcher's configuration where only this user may read it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with open(fd, "w", encoding="utf-8") as file:
        json.dump(config, file)


def _masks(binds, hidden_paths):
    """Jail paths to cover: every hidden host path that lies strictly inside a bound folder."""
    hidden = {os.path.realpath(path) for path in _default_hidden() + list(hidden_paths)}
    masks = set()
    for source, target in binds:
        source = os.path.realpath(source).rstrip("/")
        for path in hidden:
            if path.startswith(source + "/") and os.path.exists(path):
                masks.add(target.rstrip("/") + path[len(source):])
    return sorted(masks)


def _default_hidden():
    """The grader, the reference, its settings, and every site-packages folder."""
    sites = {sysconfig.get_path(name, vars={"base": sys.base_prefix, "platbase": sys.base_prefix})
             for name in ("purelib", "platlib")}
    sites |= {entry for entry in sys.path
              if os.path.basename(entry) in ("site-packages", "dist-packages")}
    return [*_grader_paths(), *sorted(sites)]


def _grader_paths():
    """The grader, the reference and its settings."""
    return [str(paths.REPO_ROOT), str(paths.SOLUTIONS_DIR), str(paths.GRADING_TOML),
            str(Path(__file__).parents[1])]


def _site_folders():
    """Every existing site-packages (or dist-packages) folder of this Python, real paths."""
    sites = [sysconfig.get_path(name) for name in ("purelib", "platlib")]
    sites += [entry for entry in sys.path
              if os.path.basename(entry) in ("site-packages", "dist-packages")]
    return list(dict.fromkeys(os.path.realpath(folder) for folder in sites
                              if os.path.isdir(folder)))


def _package_folders(separately=False):
    """Where numpy and h5py live.

    Parameters
    ----------
    separately : bool
        True: each package folder and its ``<name>.libs`` folder (to be bound one by
        one); False: the folders that contain them (for the unisolated child's sys.path).

    Returns
    -------
    list of str
    """
    folders = []
    for name in REQUIRED_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise Unavailable(f"{name} is not installed for {sys.executable}; install the "
                              "project's dependencies (pip install -e .)")
        package = os.path.realpath(list(spec.submodule_search_locations)[0])
        site = os.path.dirname(package)
        candidates = [package, os.path.join(site, name + ".libs")] if separately else [site]
        folders += [folder for folder in candidates
                    if os.path.isdir(folder) and folder not in folders]
    return folders


def _interpreter():
    """The real interpreter binary (the base one when running in a virtual environment)."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def _make_world_readable(folder):
    for directory, _, files in os.walk(folder):
        os.chmod(directory, 0o755)
        for name in files:
            os.chmod(os.path.join(directory, name), 0o644)
