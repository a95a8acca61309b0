"""How the child process is isolated on this machine, and the command line that starts it.

Modes, best first (``candidate_modes``):

``"root"``
    The grader runs as root (Gradescope, CI). ``unshare`` (util-linux) gives the child
    new mount, PID, network, IPC and UTS namespaces; ``jail.py`` builds a private root
    filesystem holding only an allowlist (system folders, the Python installation, the
    interpreter's site folders read-only, the worker, the student's package, scratch
    ``/tmp``), then drops with no_new_privs to a uid/gid of its own per live sandbox
    (leased from ``uids``, as in ``"confined"``).
``"userns"``
    Not root, unprivileged user namespaces allowed: the same inside a new user
    namespace whose root is the calling user; the worker enters a further nested user
    namespace as uid 65534, which locks the mounts. On the host that uid is one of
    the caller's subordinate uids, a different one per live sandbox, where
    ``newuidmap`` and ``/etc/subuid`` allow it (``uids.subordinate_ids``); otherwise
    the caller's own uid, whose per-uid limits and state every child then shares
    with the grader, and the description says so (``describe``).
``"confined"``
    Root without namespaces, as in a default Docker container (no ``CAP_SYS_ADMIN``,
    Docker's seccomp profile): ``confine.py`` gives the child a uid of its own
    (``uids``), a Landlock ruleset that lets it read only the Python installation,
    the site-packages folders, the system folders, the worker and the student's
    package (and write only a private scratch folder), and no network sockets.
``"none"``
    Nothing else works: a new session, resource limits and a minimal environment only.
    The child runs as the grader's user: it may read the grader's files, and kill its
    reaper (``reaper``), whose death then kills the worker but not what the worker
    started. Below the default ``isolation_minimum``; its description says so.

What the child sees of the host is ``child_view``: every site folder the grader's
interpreter imports from (the student's own environment: an unused
``import matplotlib.pyplot`` at the top of a graded file works as in a notebook),
minus the grader's own installed files; the repository, the reference, the settings
and the output folder are covered (namespace modes) or left unreadable (``"confined"``)
wherever a visible folder holds them.

Every mode but ``"none"`` installs the seccomp filter of ``syscall_filter`` before
the worker starts. A mode is judged to work when a child started in it says hello
(``runner`` tries them in order and remembers the first that works, ``remember``);
modes below ``limits.isolation_minimum`` are not tried (``candidate_modes``), so a
machine that cannot isolate well enough refuses to grade instead of grading silently.
"""

import base64
import functools
import importlib.metadata
import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import blas, config, paths
from . import confine, staging, syscall_filter, uids, worker

MODES = config.ISOLATION_LEVELS
DESCRIPTIONS = {
    "root": "root: mount namespace (private root) + pid namespace + uid of its own + no "
            "network + seccomp",
    "userns": "userns: user namespace + mount namespace (private root, locked) + pid namespace "
              "+ uid 65534 + no network + seccomp",
    "confined": "confined: uid of its own + Landlock (reads only Python, site-packages and its "
                "own files) + seccomp (no network sockets); no namespaces",
    "none": "none: new session + resource limits only; student code runs as the grader's "
            "own user, so it can read the grader's files and kill the reaper, after which "
            "processes it started may outlive the grading (unless a memory cgroup holds "
            "them: removing it kills them)",
}
# What the "userns" child's uid is on the host, with subordinate uids and without.
USERNS_UIDS = {
    True: "; on the host a subordinate uid of its own per child (/etc/subuid)",
    False: "; on the host every child runs as the grader's own uid (no subordinate uids: "
           "newuidmap and /etc/subuid would give each its own), sharing its RLIMIT_NPROC "
           "count and per-uid kernel state",
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
# Modes whose child writes only to private tmpfs (``/tmp``, ``/dev/shm``) of
# ``limits.max_file_size_mib`` each.
BOUNDED_SCRATCH_MODES = ("root", "userns")
UNPRIVILEGED_ID = 65534
# The jail's root tmpfs holds mount points, symlinks and copies of the grading's own
# folders (the worker, the package, the font cache): their pages plus this room.
ROOT_BYTES = 1 << 20
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc")
DEVICES = ("null", "zero", "full", "random", "urandom")
DEVICE_LINKS = (("/dev/fd", "/proc/self/fd"), ("/dev/stdin", "/proc/self/fd/0"),
                ("/dev/stdout", "/proc/self/fd/1"), ("/dev/stderr", "/proc/self/fd/2"))
REQUIRED_PACKAGES = ("numpy", "h5py")
SITE_FOLDER_NAMES = ("site-packages", "dist-packages")
GRADER_PACKAGE = __package__.partition(".")[0]
METADATA_SUFFIXES = (".dist-info", ".egg-info")
CHILD_MODULES = ("protocol.py", "dispatch.py", "worker.py")
CHILD_PACKAGE = "gradersandbox"
LAUNCHERS = ("jail.py", "confine.py")
IN_JAIL = {"python": "/sandbox/python", "site": "/sandbox/site", "lib": "/sandbox/lib",
           "package": "/sandbox/package", "fonts": "/sandbox/fonts"}
PASSED_VARIABLES = ("OPENBLAS_CORETYPE",)
# matplotlib draws headless and keeps its font cache in the child's private scratch, where
# the worker first copies a cache prepared by the grader (building one takes ~0.4 s here).
PLOTTING_VARIABLES = {"MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/matplotlib"}
FONT_CACHE_SECONDS = 120
# The CPU limit's SIGXCPU (the evidence that names it) comes at the soft limit; the hard
# limit, this much later, kills a child that ignores the signal.
CPU_GRACE_SECONDS = 1
HELP_SECONDS = 10  # for ``unshare --help``

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
    if mode == "userns":
        return DESCRIPTIONS[mode] + USERNS_UIDS[_subordinate_ids() is not None]
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
        Where the student's package is staged (``assignment/`` and ``captiondata/``).
    new_root : Path
        An empty folder on which the jail mounts the child's root.
    scratch : Path
        The ``"confined"`` child's HOME and TMPDIR, writable by its uid only.
    fonts : Path
        matplotlib's font cache, for the worker to copy into its scratch
        (``write_font_cache``).
    lease : uids.Lease or None
        The child's uid on the host: leased from root's range when the grader is root,
        from the user's subordinate uids otherwise (None when it has none).
    """

    folder: Path
    lib: Path
    package: Path
    new_root: Path
    scratch: Path
    fonts: Path
    lease: uids.Lease | None

    @classmethod
    def create(cls, package):
        """Stage the student's package and copy the worker into a new private folder.

        Parameters
        ----------
        package : autograder.sandbox.staging.Package

        Returns
        -------
        Runtime
        """
        folder = Path(tempfile.mkdtemp(prefix="sandbox-"))
        lease = _lease()
        runtime = cls(folder, folder / "lib", folder / "package", folder / "root",
                      folder / "scratch", write_font_cache(folder / "fonts"), lease)
        package.stage(runtime.package)
        child_package = runtime.lib / CHILD_PACKAGE
        child_package.mkdir(parents=True)
        child_package.joinpath("__init__.py").write_text('"""The sandbox worker (a copy)."""\n')
        for name in CHILD_MODULES:
            shutil.copy(Path(__file__).with_name(name), child_package / name)
        for name in LAUNCHERS:
            shutil.copy(Path(__file__).with_name(name), folder / name)
        runtime.new_root.mkdir()
        runtime.scratch.mkdir(mode=0o700)
        if os.geteuid() == 0:
            os.chown(runtime.scratch, lease.uid, lease.uid)
        staging.make_readable(runtime.lib)
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
        Extra host paths the child must not see, on top of those of ``child_view``.

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
    view = child_view(hidden_paths)
    if mode == "none":
        path = [str(runtime.package), *view.sites]
        config_dir = str(runtime.folder / "matplotlib")
        argv = worker_argv(_interpreter(), runtime.lib, limits, fds, path,
                           seeds=[(str(runtime.fonts), config_dir)])
        return argv, child_environment({"MPLCONFIGDIR": config_dir}), str(runtime.package)
    if mode == "confined":
        _write_config(runtime.folder / confine.CONFIG_FILE,
                      _confined_config(runtime, limits, fds, view))
        argv = [_interpreter(), "-I", "-S", "-B", "confine.py"]
        return argv, child_environment(), str(runtime.folder)
    _write_config(runtime.folder / confine.CONFIG_FILE,
                  _jail_config(mode == "userns", runtime, limits, fds, view))
    flags = _user_namespace_flags(_subordinate(runtime)) if mode == "userns" else []
    flags += ["--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
              "--net", "--ipc", "--uts"]
    argv = ["unshare", *flags, "--", _interpreter(), "-I", "-S", "-B", "jail.py"]
    return argv, child_environment(), str(runtime.folder)


def _lease():
    """The child's uid on the host: see ``Runtime.lease``."""
    if os.geteuid() == 0:
        return uids.lease()
    subordinate = _subordinate_ids()
    return None if subordinate is None else uids.lease(subordinate)


def _subordinate_ids():
    """``uids.subordinate_ids()``, when this ``unshare`` can map them (util-linux >= 2.38)."""
    return uids.subordinate_ids() if _unshare_maps_ranges() else None


@functools.cache
def _unshare_maps_ranges():
    """Whether ``unshare`` has ``--map-users`` (util-linux 2.38; Ubuntu 22.04 has 2.37)."""
    try:
        shown = subprocess.run(["unshare", "--help"], capture_output=True, text=True,
                               timeout=HELP_SECONDS)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--map-users" in shown.stdout


def _subordinate(runtime):
    """The runtime's lease of a subordinate uid (a non-root grader's), or None."""
    return runtime.lease if os.geteuid() != 0 else None


def _user_namespace_flags(lease):
    """``unshare`` options of the ``"userns"`` mode: the caller is root inside, and the
    worker's uid/gid 65534 is the leased subordinate uid/gid on the host, if any."""
    if lease is None:
        return ["--user", "--map-root-user"]
    return ["--user", "--map-user=0", "--map-group=0",
            f"--map-users={lease.uid},{UNPRIVILEGED_ID},1",
            f"--map-groups={lease.gid},{UNPRIVILEGED_ID},1"]


@dataclass(frozen=True)
class ChildView:
    """What of the host a child sees, for any mode that maps host folders into it.

    Attributes
    ----------
    sites : tuple of str
        Host folders the child imports installed packages from (bind them read-only, in
        this order on ``sys.path``, after the student's package).
    hidden : tuple of str
        Host paths to cover wherever a bound folder holds them: the repository, the
        reference, ``grading.toml``, the grader's package, the grader's installed files
        in the site folders, site folders of the installation that this interpreter
        does not import from, and the caller's extra paths.
    """

    sites: tuple
    hidden: tuple


def child_view(hidden_paths=()):
    """The ``ChildView`` of this interpreter, with extra hidden paths.

    Parameters
    ----------
    hidden_paths : iterable of path-like
        E.g. the output folder.

    Returns
    -------
    ChildView

    Raises
    ------
    Unavailable
        When numpy or h5py is not installed for this interpreter.
    """
    sites, hidden = _installation_view()
    extra = tuple(os.path.realpath(path) for path in hidden_paths)
    return ChildView(sites, hidden + extra)


def worker_argv(python, lib, limits, fds, path, seeds=()):
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
    seeds : sequence of (str, str)
        ``(folder, scratch folder)`` pairs, as the child sees them: the worker copies
        each folder's files into its scratch folder before anything else is imported.

    Returns
    -------
    list of str
    """
    config = {
        "rlimits": {
            "RLIMIT_CPU": [limits.cpu_seconds, limits.cpu_seconds + CPU_GRACE_SECONDS],
            "RLIMIT_AS": limits.address_space_mib << 20,
            "RLIMIT_NPROC": limits.max_processes,
            "RLIMIT_FSIZE": limits.max_file_size_mib << 20,
            "RLIMIT_CORE": 0,
        },
        "path": path,
        "seeds": [list(pair) for pair in seeds],
        "limits": {"max_message_mib": limits.max_message_mib,
                   "max_array_elements": limits.max_array_elements,
                   "output_bytes": limits.output_bytes},
        "request_fd": fds[0],
        "reply_fd": fds[1],
    }
    return [python, "-I", "-S", "-B", "-c", worker.BOOT, str(lib), json.dumps(config)]


def child_environment(extra=None):
    """The child's whole environment: a few neutral variables, single-threaded BLAS, Agg.

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
    env.update(PLOTTING_VARIABLES)
    env.update({name: os.environ[name] for name in PASSED_VARIABLES if name in os.environ})
    env.update(extra or {})
    return env


def _jail_config(user_namespace, runtime, limits, fds, view):
    """The JSON configuration of ``jail.py``: as root, the child takes the runtime's uid."""
    uid = UNPRIVILEGED_ID if user_namespace else runtime.lease.uid
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
    sites = [f"{IN_JAIL['site']}/{index}" for index in range(len(view.sites))]
    binds += [(prefix, IN_JAIL["python"]), *zip(view.sites, sites)]
    copies = [(str(runtime.lib), IN_JAIL["lib"]), (str(runtime.package), IN_JAIL["package"]),
              (str(runtime.fonts), IN_JAIL["fonts"])]
    scratch_bytes = limits.max_file_size_mib << 20  # see BOUNDED_SCRATCH_MODES
    path = [IN_JAIL["package"], *sites]
    config = {
        "new_root": str(runtime.new_root),
        "root_bytes": ROOT_BYTES + sum(_folder_bytes(source) for source, _ in copies),
        "copies": copies,
        "binds": binds,
        "symlinks": symlinks,
        "scratch": [("/tmp", scratch_bytes), ("/dev/shm", scratch_bytes)],
        "masks": _masks(binds, view.hidden),
        "user_namespace": user_namespace,
        "mapped_from": UNPRIVILEGED_ID if user_namespace and _subordinate(runtime) else 0,
        "uid": uid,
        "gid": uid,
        "argv": worker_argv(f"{IN_JAIL['python']}/{python}", IN_JAIL["lib"], limits, fds, path,
                            seeds=[(IN_JAIL["fonts"], PLOTTING_VARIABLES["MPLCONFIGDIR"])]),
        "env": child_environment({"LD_LIBRARY_PATH": f"{IN_JAIL['python']}/lib"}),
        "cwd": IN_JAIL["package"],
        "keep_fds": list(fds),
        "seccomp": _filter(shared_namespaces=False),
    }
    return config


def _folder_bytes(folder):
    """Bytes the files under ``folder`` take on a tmpfs (each rounded up to whole pages)."""
    return sum(-(-os.lstat(os.path.join(directory, name)).st_size // PAGE_BYTES) * PAGE_BYTES
               + PAGE_BYTES for directory, _, names in os.walk(folder) for name in names)


def _confined_config(runtime, limits, fds, view):
    """The JSON configuration of ``confine.py`` (the ``"confined"`` mode's launcher)."""
    if os.geteuid() != 0:
        raise Unavailable(REQUIREMENTS["confined"] + "; the grader is not root")
    if confine.landlock_abi() < 1:
        raise Unavailable("Landlock is not available: kernel >= 5.13 with landlock in the LSM "
                          "list is needed (the kernel here is " + os.uname().release + ")")
    uid = runtime.lease.uid
    prefix = os.path.realpath(sys.base_prefix)
    sites = list(view.sites)
    for folder in [prefix, *sites]:
        _check_reachable(folder, uid)
    uids.sweep(uid)  # what an earlier child of this sandbox left running
    os.chmod(runtime.folder, 0o711)
    hidden = set(view.hidden)
    readable = [f"/{name}" for name in SYSTEM_DIRS if os.path.isdir(f"/{name}")]
    readable += [prefix, *sites, str(runtime.lib), str(runtime.package), str(runtime.fonts)]
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
                            [str(runtime.package), *sites],
                            seeds=[(str(runtime.fonts), f"{scratch}/matplotlib")]),
        "env": child_environment({"HOME": scratch, "TMPDIR": scratch,
                                  "MPLCONFIGDIR": f"{scratch}/matplotlib",
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
    hidden = {os.path.realpath(path) for path in hidden_paths}
    masks = set()
    for source, target in binds:
        source = os.path.realpath(source).rstrip("/")
        for path in hidden:
            if path.startswith(source + "/") and os.path.lexists(path):
                masks.add(target.rstrip("/") + path[len(source):])
    return sorted(masks)


@functools.lru_cache(maxsize=1)
def _installation_view():
    """``(sites, hidden)`` of ``ChildView`` without the caller's paths (computed once)."""
    sites = _site_folders()
    base = {"base": sys.base_prefix, "platbase": sys.base_prefix}
    unused_sites = {os.path.realpath(sysconfig.get_path(name, vars=base))
                    for name in ("purelib", "platlib")} - set(sites)
    hidden = [str(paths.REPO_ROOT), str(paths.SOLUTIONS_DIR), str(paths.GRADING_TOML),
              str(Path(__file__).parents[1]), *sorted(unused_sites), *_grader_files(sites)]
    return tuple(sites), tuple(os.path.realpath(path) for path in hidden)


def _site_folders():
    """Where this interpreter imports installed packages from, in ``sys.path`` order.

    Every site folder of ``sys.path``, and the folders holding numpy and h5py
    wherever they are installed; real paths, without duplicates.

    Returns
    -------
    list of str
    """
    entries = [entry for entry in sys.path
               if os.path.basename(entry) in SITE_FOLDER_NAMES and os.path.isdir(entry)]
    for name in REQUIRED_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise Unavailable(f"{name} is not installed for {sys.executable}; install the "
                              "project's dependencies (pip install -e .)")
        entries.append(os.path.dirname(list(spec.submodule_search_locations)[0]))
    folders = []
    for entry in entries:
        folder = os.path.realpath(entry)
        if folder not in folders:
            folders.append(folder)
    return folders


def _grader_files(sites):
    """What the grader's own distribution installed into ``sites``.

    Its packages (``solutions/``, ``autograder/``... of a regular install), its
    metadata folder, and an editable install's finder module and ``.pth`` file.

    Parameters
    ----------
    sites : list of str

    Returns
    -------
    list of str
        Host paths, top-level entries of a site folder where possible.
    """
    found = set()
    for distribution in importlib.metadata.distributions(path=sites):
        packages = (distribution.read_text("top_level.txt") or "").split()
        if GRADER_PACKAGE not in packages:
            continue
        for file in distribution.files or ():
            path = os.path.realpath(distribution.locate_file(file))
            site = next((site for site in sites if path.startswith(site + os.sep)), None)
            if site is None:
                continue
            top = os.path.relpath(path, site).split(os.sep)[0]
            keep_whole = top in packages or top.endswith(METADATA_SUFFIXES)
            found.add(os.path.join(site, top) if keep_whole else path)
        found.update(os.path.join(site, name) for site in sites for name in packages)
    return sorted(found)


def write_font_cache(folder):
    """Write matplotlib's font cache into ``folder``, for the worker to copy into its scratch.

    matplotlib records its own fonts relative to its data folder, so the cache stays
    valid wherever the child sees the site folders; other fonts are system ones (``/usr``).

    Parameters
    ----------
    folder : Path
        Created (world-readable) if needed; it stays empty without matplotlib.

    Returns
    -------
    Path
        ``folder``.
    """
    folder.mkdir(exist_ok=True)
    for name, text in _host_font_cache().items():
        folder.joinpath(name).write_text(text, encoding="utf-8")
    staging.make_readable(folder)
    return folder


@functools.lru_cache(maxsize=1)
def _host_font_cache():
    """``{file name: JSON text}`` of the font cache matplotlib builds here (once per process).

    Built by a fresh isolated interpreter (``-I``: nothing of the working folder is
    imported) in an empty configuration folder; empty when matplotlib is not installed
    or fails to build it (the child then builds its own).
    """
    if importlib.util.find_spec("matplotlib") is None:
        return {}
    with tempfile.TemporaryDirectory(prefix="fonts-") as config_dir:
        try:
            subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"],
                           env=child_environment({"MPLCONFIGDIR": config_dir}), cwd=config_dir,
                           check=True, capture_output=True, timeout=FONT_CACHE_SECONDS)
        except (OSError, subprocess.SubprocessError):
            return {}
        return {path.name: path.read_text(encoding="utf-8")
                for path in Path(config_dir).glob("*.json")}


def _interpreter():
    """The real interpreter binary (the base one when running in a virtual environment)."""
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)

