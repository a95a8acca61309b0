"""What the child can see and do: no grader, reference, settings, output folder or network,
masks it cannot remove, a minimal environment; in every isolation mode this machine has."""

import importlib
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograder import paths
from autograder.build import dependencies
from autograder.sandbox import SandboxRunner, isolation, uids
from sandbox_helpers import RUN_CODE

IS_ROOT = os.geteuid() == 0
HAS_UNSHARE = shutil.which("unshare") is not None
ISOLATED_MODES = (["root"] if IS_ROOT else []) + ["userns"]
SITE_MASK = "/sandbox/python/lib/python{}.{}/site-packages".format(*sys.version_info[:2])
BASE_SITE = sysconfig.get_path("purelib", vars={"base": sys.base_prefix})
SANDBOX_UIDS = set(range(uids.FIRST_UID, uids.FIRST_UID + uids.COUNT))


def probe(runner, body, *args, timeout=None):
    """Run ``body`` as student code; it sets ``value`` to JSON-able data, which is returned."""
    code = ("import json, numpy as np\n" + textwrap.dedent(body)
            + "\nresult = np.frombuffer(json.dumps(value).encode(), np.uint8).copy()")
    return json.loads(runner.call("rnn_layers.run_code", code, *args, timeout=timeout).tobytes())


def student_requirement_modules():
    """Top-level modules of the student requirements that are installed here."""
    def normal(name):
        return re.sub(r"[-_.]+", "-", name).lower()

    modules = {}
    for module, distributions in importlib.metadata.packages_distributions().items():
        for distribution in distributions:
            modules.setdefault(normal(distribution), set()).add(module)
    wanted = [normal(re.split(r"[<>=!~;\[ ]", line.strip())[0])
              for line in dependencies.requirements(paths.REPO_ROOT, "student").decode().splitlines()
              if line.strip()]
    return sorted(module for name in wanted for module in modules.get(name, ())
                  if not module.startswith("_"))


OPEN_ERRNO = """
    import os
    value = {}
    for path in args[0]:
        try:
            if os.path.isdir(path):
                value[path] = os.listdir(path)
            else:
                with open(path, args[1]) as file:
                    value[path] = file.read(10) if args[1] == "r" else "written"
        except OSError as error:
            value[path] = error.errno
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory, make_package):
    """The reference package with ``run_code`` for probes."""
    return make_package(appended=RUN_CODE)


@pytest.fixture(scope="module", params=ISOLATED_MODES)
def isolated(request, root, tmp_path_factory, settings):
    """A sandbox in each isolated mode, with a hidden output folder."""
    if not HAS_UNSHARE:
        pytest.skip("util-linux unshare is not installed")
    output = tmp_path_factory.mktemp("output")
    with SandboxRunner(root, settings, hidden_paths=[output], mode=request.param) as runner:
        yield runner, output


def test_auto_mode_as_root_uses_the_mount_namespace(root, settings):
    if not (IS_ROOT and HAS_UNSHARE):
        pytest.skip("the root mode needs root and util-linux unshare")
    with SandboxRunner(root, settings) as runner:
        assert runner.isolation.partition("; memory: ")[0] == isolation.DESCRIPTIONS["root"]
        assert runner.environment["uid"] == runner.environment["gid"]
        assert runner.environment["uid"] in SANDBOX_UIDS
        assert 0 < runner.startup_seconds < 5


def test_child_runs_unprivileged_with_the_parents_numpy(isolated):
    runner, _ = isolated
    uid = runner.environment["uid"]
    # as root a uid of the registry's; in a user namespace 65534 (the grader's uid outside)
    assert uid in SANDBOX_UIDS if runner.isolation.startswith("root") else uid == 65534
    assert runner.environment["numpy"] == np.__version__
    assert probe(runner, "import os\nvalue = [os.getuid(), os.geteuid(), os.getpid()]") == [
        uid, uid, 2]


FORK_UNTIL_REFUSED = """
    import os
    count = 0
    try:
        for _ in range(args[0]):
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "931"])
            count += 1
    except OSError:
        pass
    value = count
"""


def test_each_live_sandbox_has_a_uid_and_a_process_count_of_its_own(root, settings):
    if not (IS_ROOT and HAS_UNSHARE):
        pytest.skip("the root mode needs root and util-linux unshare")
    limit = settings.limits.max_processes
    with SandboxRunner(root, settings, mode="root") as first, \
            SandboxRunner(root, settings, mode="root") as second:
        uids_seen = [probe(runner, "import os\nvalue = os.getuid()") for runner in (first, second)]
        assert uids_seen[0] != uids_seen[1] and set(uids_seen) <= SANDBOX_UIDS
        filled = probe(first, FORK_UNTIL_REFUSED, 2 * limit)
        assert limit - 5 < filled < limit  # RLIMIT_NPROC stopped it (the worker counts too)
        # the other grading's processes do not count against this one's limit
        assert probe(second, FORK_UNTIL_REFUSED, limit // 2) == limit // 2


MOUNT_TABLES = """
    value = {name: open(f"/proc/self/{name}").read() for name in ("mountinfo", "mounts")}
"""


def test_the_mount_tables_name_only_the_bound_installation(isolated, root):
    runner, output = isolated
    tables = probe(runner, MOUNT_TABLES)
    # A bind shows its source's path in its filesystem; only the folders the child imports
    # from (and the system folders, devices) are bound.
    imported = [os.path.realpath(sys.base_prefix), *isolation.child_view().sites]
    bound = {*imported, *(f"/{name}" for name in isolation.SYSTEM_DIRS),
             *(f"/{name}" for name in isolation.DEVICES), "/"}
    sources = {line.split()[3] for line in tables["mountinfo"].splitlines()}
    assert sources <= bound, sources - bound
    # Nothing else names the grading's folders (a venv of the grader's may sit in /tmp, as
    # CI's clone does: the bound folders are taken out before looking).
    grading = [str(output), str(root.tree), str(runner._runtime.folder),
               tempfile.gettempdir() + "/"]
    for name, text in tables.items():
        for folder in sorted(imported, key=len, reverse=True):
            text = text.replace(folder, "")
        assert not any(path in text for path in grading), (name, text)


def test_grader_reference_settings_and_repo_are_invisible(isolated):
    runner, _ = isolated
    secrets = [str(paths.SOLUTIONS_DIR / "rnn_layers.py"), str(paths.GRADING_TOML),
               str(paths.REPO_ROOT / "autograder" / "items"), str(paths.REPO_ROOT / "tests"),
               str(paths.REPO_ROOT), str(Path(sys.base_prefix) / "bin"), "/root", "/work"]
    seen = probe(runner, OPEN_ERRNO, secrets, "r")
    assert all(isinstance(seen[path], int) for path in secrets), seen
    python_path = probe(runner, "import sys\nvalue = sys.path")
    assert not any(entry.startswith(str(paths.REPO_ROOT)) for entry in python_path)
    listed = probe(runner, "import os\nvalue = sorted(os.listdir('/'))")
    assert "work" not in listed and "root" not in listed and "sandbox" in listed


def test_site_folders_are_read_only_and_unused_ones_masked(isolated):
    runner, _ = isolated
    if os.path.realpath(BASE_SITE) not in isolation.child_view().sites:
        assert probe(runner, OPEN_ERRNO, [SITE_MASK], "r")[SITE_MASK] == []
    targets = ["/sandbox/package/assignment/rnn_layers.py", "/sandbox/lib/new.py", "/etc/x",
               "/usr/x", "/x", f"{SITE_MASK}/x", "/sandbox/site/0/x", "/sandbox/site/0/numpy/x"]
    written = probe(runner, OPEN_ERRNO, targets, "w")
    assert all(isinstance(written[path], int) for path in targets), written
    assert probe(runner, OPEN_ERRNO, ["/tmp/scratch"], "w") == {"/tmp/scratch": "written"}


def test_the_graders_installed_files_are_hidden(isolated):
    runner, _ = isolated
    view = isolation.child_view()
    in_jail = [f"/sandbox/site/{index}/{os.path.relpath(path, site)}"
               for path in view.hidden for index, site in enumerate(view.sites)
               if path.startswith(site + os.sep) and os.path.lexists(path)]
    assert any(path.endswith((".dist-info", ".egg-info")) for path in in_jail), (
        "the grader's own installation was not found among the hidden paths")
    seen = probe(runner, OPEN_ERRNO, in_jail, "r")
    assert all(seen[path] in ([], "") for path in in_jail), seen
    body = """
        import importlib, os, assignment
        value = {"assignment": assignment.__file__}
        for name in ("autograder", "solutions"):
            try:
                module = importlib.import_module(name)
            except ImportError as error:
                value[name] = type(error).__name__
            else:  # a masked regular install leaves an empty namespace package
                value[name] = [getattr(module, "__file__", None),
                               sum(len(os.listdir(path)) for path in module.__path__)]
    """
    seen = probe(runner, body)
    assert seen["assignment"] == "/sandbox/package/assignment/__init__.py"
    assert all(seen[name] in ("ModuleNotFoundError", [None, 0])
               for name in ("autograder", "solutions")), seen


def test_a_regular_install_of_the_grader_is_found_for_masking(tmp_path):
    site = tmp_path / "site-packages"
    installed = ["solutions", "autograder", "assignment", "captiondata"]
    for name in installed:
        site.joinpath(name).mkdir(parents=True)
        site.joinpath(name, "__init__.py").write_text("")
    metadata = site / "rnn_captioning_assignment-0.1.0.dist-info"
    metadata.mkdir()
    metadata.joinpath("METADATA").write_text("Metadata-Version: 2.1\nName: rnn-captioning-"
                                             "assignment\nVersion: 0.1.0\n")
    metadata.joinpath("top_level.txt").write_text("\n".join(installed) + "\n")
    metadata.joinpath("RECORD").write_text("".join(f"{name}/__init__.py,,\n" for name in installed)
                                           + f"{metadata.name}/RECORD,,\n")
    site.joinpath("numpy").mkdir()
    found = isolation._grader_files([str(site)])
    assert sorted(found) == sorted(str(site / name) for name in [*installed, metadata.name])


def test_child_imports_the_parents_packages_from_the_same_files(isolated):
    runner, _ = isolated
    modules = ("numpy", "numpy.core._multiarray_umath", "h5py", "matplotlib", "PIL.Image")
    body = """
        import importlib, os
        import matplotlib.pyplot as plt
        files = [importlib.import_module(name).__file__ for name in args[0]]
        value = {"files": [[os.stat(path).st_dev, os.stat(path).st_ino] for path in files],
                 "backend": plt.get_backend().lower(),
                 "config": os.access(os.environ["MPLCONFIGDIR"], os.W_OK)}
        plt.plot([0, 1], [1, 0])
        plt.savefig("/tmp/plot.png")
    """
    seen = probe(runner, body, list(modules))
    parents = [os.stat(importlib.import_module(name).__file__) for name in modules]
    assert seen["files"] == [[stat.st_dev, stat.st_ino] for stat in parents]
    assert seen["backend"] == "agg" and seen["config"] is True


FONT_LOG = """
import logging
logging.basicConfig(level=logging.INFO, format="%(message)s")
import matplotlib.font_manager
"""
REBUILT = "generated new fontManager"


def test_the_child_starts_from_a_prepared_font_cache(isolated, tmp_path):
    env = {"PATH": os.environ["PATH"], "MPLCONFIGDIR": str(tmp_path)}
    fresh = subprocess.run([sys.executable, "-c", FONT_LOG], env=env, capture_output=True,
                           text=True, timeout=120)
    assert REBUILT in fresh.stderr, "matplotlib no longer logs its rebuilds: update this test"
    runner, _ = isolated
    body = """
        import io, logging
        log = io.StringIO()
        logging.basicConfig(stream=log, level=logging.INFO, format="%(message)s")
        import matplotlib.font_manager
        value = log.getvalue()
    """
    assert REBUILT not in probe(runner, body)


IMPORT_OUTCOMES = """
import contextlib, importlib, io
value = {}
for name in args[0]:
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            importlib.import_module(name)
        value[name] = "ok"
    except BaseException as error:  # what an import in a notebook would raise
        value[name] = type(error).__name__
"""
# Imported after distutils, setuptools fails where .pth files run (a notebook), not in the
# child, which runs none: an artefact of importing everything in one interpreter.
ORDER_ARTEFACTS = {"setuptools"}


@pytest.fixture(scope="module")
def installed_modules():
    """Every installed top-level module but the grader's, and how importing it ends in a
    fresh interpreter of this Python (the student's own environment)."""
    grader = set(importlib.metadata.packages_distributions().get("autograder", ()))
    names = sorted(module for module, distributions in
                   importlib.metadata.packages_distributions().items()
                   if module.isidentifier() and not module.startswith("_")
                   and not grader & set(distributions) and module not in ORDER_ARTEFACTS)
    script = ("import json, sys\nargs = [json.loads(sys.argv[1])]\n" + IMPORT_OUTCOMES
              + "print(json.dumps(value))")
    done = subprocess.run([sys.executable, "-c", script, json.dumps(names)],
                          cwd=tempfile.gettempdir(), capture_output=True, text=True, timeout=600)
    return names, json.loads(done.stdout)


@pytest.mark.slow
def test_every_installed_module_imports_in_the_child_as_in_a_fresh_interpreter(
        isolated, installed_modules):
    runner, _ = isolated
    names, outcomes = installed_modules
    assert len(names) > 20 and outcomes["matplotlib"] == "ok"
    seen = probe(runner, IMPORT_OUTCOMES, names, timeout=300)
    assert {name: seen[name] for name in names if seen[name] != outcomes[name]} == {}


def test_every_installed_student_requirement_imports_in_the_child(isolated):
    runner, _ = isolated
    names = student_requirement_modules()
    assert {"numpy", "h5py", "matplotlib", "PIL"} <= set(names)
    body = """
        import importlib
        value = {}
        for name in args[0]:
            try:
                importlib.import_module(name)
                value[name] = "ok"
            except BaseException as error:
                value[name] = f"{type(error).__name__}: {error}"
    """
    seen = probe(runner, body, names)
    assert seen == {name: "ok" for name in names}


def test_output_folder_cannot_be_written(isolated):
    runner, output = isolated
    target = str(output / "results.json")
    seen = probe(runner, OPEN_ERRNO, [target, str(output)], "w")
    assert isinstance(seen[target], int)
    assert not (output / "results.json").exists()


def test_masks_cannot_be_removed(isolated):
    runner, _ = isolated
    body = """
        import ctypes, os, subprocess
        libc = ctypes.CDLL(None, use_errno=True)
        value = {}
        for target in (args[0], "/", "/sandbox/package"):
            failed = libc.umount2(target.encode(), 2)
            value[target] = ctypes.get_errno() if failed else "unmounted"
        # in a user namespace of its own, where it holds every capability
        nested = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                                 f"umount -l {args[0]} && ls -A {args[0]}"],
                                capture_output=True, text=True)
        value["nested"] = [nested.returncode, nested.stdout]
        value["listing"] = os.listdir(args[0])
    """
    seen = probe(runner, body, SITE_MASK)
    assert all(isinstance(seen[path], int) for path in (SITE_MASK, "/", "/sandbox/package")), seen
    assert seen["nested"][0] != 0 and seen["nested"][1] == ""
    assert seen["listing"] == []


def test_network_is_cut(isolated):
    runner, _ = isolated
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(0.5)
        body = """
            import socket
            try:
                socket.create_connection(("127.0.0.1", args[0]), timeout=2).close()
                value = "connected"
            except OSError as error:
                value = error.errno
        """
        assert isinstance(probe(runner, body, server.getsockname()[1]), int)
        with pytest.raises(socket.timeout):
            server.accept()


def test_environment_is_minimal(isolated):
    runner, _ = isolated
    env = probe(runner, "import os\nvalue = dict(os.environ)")
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == env["MKL_NUM_THREADS"] == "1"
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "LD_LIBRARY_PATH",
                        "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                        "OPENBLAS_CORETYPE", "MPLBACKEND", "MPLCONFIGDIR"}
    assert env["MPLBACKEND"] == "Agg"
    assert env.get("OPENBLAS_CORETYPE") == os.environ.get("OPENBLAS_CORETYPE")


def test_unisolated_mode_still_runs_and_says_so(root, settings):
    with SandboxRunner(root, settings, mode="none") as runner:
        assert runner.isolation.startswith("none")
        assert runner.environment["numpy"] == np.__version__
        np.testing.assert_array_equal(runner.call("rnn_layers.sigmoid", np.zeros(1)), [0.5])
        body = "import assignment, matplotlib.pyplot as plt\n" \
               "value = [assignment.__file__, plt.get_backend()]"
        staged, backend = probe(runner, body)
        assert staged.endswith("/package/assignment/__init__.py") and backend.lower() == "agg"
        assert not staged.startswith(str(paths.REPO_ROOT))


def test_masks_cover_hidden_paths_inside_bound_folders(tmp_path):
    inside = tmp_path / "bound" / "secret"
    inside.mkdir(parents=True)
    binds = [(str(tmp_path / "bound"), "/sandbox/x"), ("/usr", "/usr")]
    masks = isolation._masks(binds, [inside, tmp_path / "elsewhere", tmp_path / "bound"])
    assert str(paths.REPO_ROOT) not in masks and "/sandbox/x/secret" in masks
    assert all(not mask.startswith(str(tmp_path)) for mask in masks)


def _readable_by_nobody(path):
    """Whether uid 65534 can reach ``path`` (every parent searchable, the file readable)."""
    path = Path(path).resolve()
    for part in [*reversed(path.parents), path]:
        mode = part.stat().st_mode
        if not mode & (0o001 if part.is_dir() else 0o004):
            return False
    return True


NON_ROOT_SCRIPT = """
import json, os, sys, time
sys.path[:0] = sys.argv[1].split(":")
import numpy as np
from autograder import config
from autograder.sandbox import Package, SandboxRunner


def host_uid(marker):
    for _ in range(100):
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as file:
                    if file.read() != f"sleep\\0{marker}\\0".encode():
                        continue
                with open(f"/proc/{pid}/status") as file:
                    return next(int(line.split()[1]) for line in file if line.startswith("Uid:"))
            except OSError:
                continue
        time.sleep(0.05)


with SandboxRunner(Package(sys.argv[2]), config.load()) as runner, \\
        SandboxRunner(Package(sys.argv[2]), config.load()) as other:
    code = ("import os, json, numpy as np\\nvalue = {}\\n"
            "for path in args[0]:\\n"
            "    try:\\n        open(path).read(1); value[path] = 'read'\\n"
            "    except OSError as error:\\n        value[path] = error.errno\\n"
            "result = np.frombuffer(json.dumps(value).encode(), np.uint8).copy()")
    seen = json.loads(runner.call("rnn_layers.run_code", code, sys.argv[3:]).tobytes())
    host_uids = []
    for marker, sandbox in (("941", runner), ("942", other)):
        sandbox.call("rnn_layers.run_code", "import subprocess, numpy as np\\n"
                     f"subprocess.Popen(['sleep', '{marker}'])\\nresult = np.ones(1)")
        host_uids.append(host_uid(marker))
    print(json.dumps({"isolation": runner.isolation, "uid": runner.environment["uid"],
                      "numpy": runner.environment["numpy"], "parent_numpy": np.__version__,
                      "seen": seen, "host_uids": host_uids}))
"""
SUBORDINATE_FIRST, SUBORDINATE_COUNT = 300000, 1000


@pytest.mark.parametrize("subordinate", [False, True], ids=["own-uid", "subordinate-uids"])
def test_grading_as_an_unprivileged_user_uses_a_user_namespace(subordinate, make_package):
    """Run SandboxRunners as uid 65534 (as a non-root grader would) via setpriv; with
    subordinate ids granted to it (in a mount namespace of the test's own, so the host's
    /etc/subuid is left alone), each child has a host uid of its own."""
    if not (IS_ROOT and HAS_UNSHARE and shutil.which("setpriv")):
        pytest.skip("needs root (to become uid 65534 with setpriv) and util-linux")
    if subordinate and not (shutil.which("newuidmap") and all(
            os.path.isfile(path) for path in uids.ID_MAPS)):
        pytest.skip("needs newuidmap and newgidmap (Debian: apt-get install uidmap) and "
                    "/etc/subuid, /etc/subgid")
    import numpy
    import h5py

    base = os.path.realpath(sys.base_prefix)
    scratch = Path(tempfile.mkdtemp(prefix="sandbox-nonroot-"))
    prefix = scratch / "python"
    # numpy and h5py as uid 65534 will see them: inside the bound interpreter, or in place
    sites = sorted({str(prefix / os.path.relpath(site, base)) if site.startswith(base + "/")
                    else site for site in (os.path.realpath(Path(module.__file__).parents[1])
                                           for module in (numpy, h5py))})
    needed = [paths.REPO_ROOT / "autograder", paths.REPO_ROOT / "captiondata",
              paths.GRADING_TOML,
              *(Path(site) for site in sites if not site.startswith(str(prefix)))]
    unreadable = [str(path) for path in needed if not _readable_by_nobody(path)]
    if unreadable:
        shutil.rmtree(scratch)
        pytest.skip(f"uid 65534 cannot read {unreadable}: this checkout is not world-readable")
    try:
        scratch.chmod(0o755)
        prefix.mkdir()
        tree = make_package(appended=RUN_CODE).stage(scratch / "staged") / "assignment"
        python = prefix / os.path.relpath(isolation._interpreter(), base)
        grants = []
        if subordinate:
            for path in uids.ID_MAPS:
                grant = scratch / path.name
                grant.write_text(f"65534:{SUBORDINATE_FIRST}:{SUBORDINATE_COUNT}\n")
                grants += [str(grant), str(path)]
        # setpriv's --no-new-privs would keep newuidmap from working: only without grants
        privileges = "" if subordinate else " --no-new-privs"
        shell = ('while [ "$1" != -- ]; do mount --bind "$1" "$2" && shift 2; done && shift && '
                 f'exec setpriv --reuid=65534 --regid=65534 --clear-groups{privileges} '
                 'env -i "$@"')
        command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", shell, "sh",
                   base, str(prefix), *grants, "--", f"LD_LIBRARY_PATH={prefix}/lib",
                   "HOME=/tmp", "PATH=/usr/bin:/bin", str(python), "-S", "-c", NON_ROOT_SCRIPT,
                   ":".join([str(paths.REPO_ROOT), *sites]), str(tree),
                   str(paths.SOLUTIONS_DIR / "rnn_layers.py"), str(paths.GRADING_TOML)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd="/")
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    mode, _, memory = report["isolation"].partition("; memory: ")
    assert mode == isolation.DESCRIPTIONS["userns"] + isolation.USERNS_UIDS[subordinate], report
    # the grader's cgroup belongs to root, not to the uid grading here
    assert memory.startswith("RLIMIT_AS 4 GiB only: no memory cgroup can be made here ("), report
    assert report["uid"] == 65534 and report["numpy"] == report["parent_numpy"]
    assert all(isinstance(errno, int) for errno in report["seen"].values()), report
    if subordinate:
        first, second = report["host_uids"]
        assert first != second, report
        assert {first, second} <= set(range(SUBORDINATE_FIRST,
                                             SUBORDINATE_FIRST + SUBORDINATE_COUNT)), report
    else:
        assert report["host_uids"] == [65534, 65534], report
