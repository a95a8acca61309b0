"""The runners through which item graders call student code.

``SandboxRunner`` serves every call from one isolated child process (restarted after a
timeout or a crash); ``InProcessRunner`` imports the staged package in this process
(no isolation; for benchmarks and fast paths). Both implement ``interface.Runner``: they
send arguments by value, keep objects as ``Handle``s, and turn results into plain numeric
arrays the same way: the request and the reply go through ``protocol`` in both, bounded
by what the request implies, and ``dispatch`` carries them out in both.
"""

import contextlib
import errno
import io
import itertools
import math
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace

import numpy as np

from .. import config
from ..text import KeptBytes
from . import child as child_process
from . import cgroup, dispatch, isolation, protocol

KINDS = ("import", "exception", "not_implemented", "timeout", "crash", "bad_output")
DEFAULT_TIMEOUT_FACTOR = 4
# A reply without ``expect`` may hold this many times the values its request sent (and the
# objects it names were built from): once as values, once as a gradient, and room to spare.
REPLY_GROWTH = 4
EMPTY_REPLY_OPS = ("set_params", "drop")
ARRAYLESS_OPS = ("new", *EMPTY_REPLY_OPS)
_owners = itertools.count(1)


NP_RANDOM_SEEDS = 2**32  # numpy's global generator takes seeds below this


class StudentError(Exception):
    """Student code failed; never a fault of the grader.

    Parameters
    ----------
    kind : str
        ``"import"`` (the staged package failed to import), ``"exception"`` (student
        code raised; ``message`` is ``"ExceptionType: text"``), ``"not_implemented"``
        (the function is missing or returned the template's ``None``), ``"timeout"``
        (wall-clock limit), ``"crash"`` (the child died, or a Handle was lost with it),
        ``"bad_output"`` (a result that is not plain numeric data) or ``"oversized"`` (a
        reply holding more than its request implies, refused unread).
    message : str
        One line for the student.
    details : str
        The last traceback frames in student files, when there are any.
    """

    def __init__(self, kind, message, details=""):
        super().__init__(message)
        self.kind, self.message, self.details = kind, message, details

    def __repr__(self):
        return f"StudentError({self.kind!r}, {self.message!r})"


class SandboxError(RuntimeError):
    """The sandbox itself failed (not the student's code): the grading cannot be trusted."""


@dataclass(frozen=True)
class Handle:
    """An object kept by a runner (a model, a cache), named by ``id``.

    Attributes
    ----------
    owner : int
        The runner that made it.
    epoch : int
        The runner's child generation; a restart invalidates older handles.
    id : int
    label : str
        The object's type name.
    """

    owner: int
    epoch: int
    id: int
    label: str = ""

    def __repr__(self):
        return f"<Handle {self.label} #{self.id}>"


class _Runner:
    """The API shared by both runners (``interface.Runner``); subclasses implement ``_exchange``."""

    isolation = ""

    def __init__(self, settings, deadline=None):
        self._owner = next(_owners)
        self._epoch = 0
        self._request_caps = protocol.Caps.from_limits(settings.limits, protocol.REQUEST_KINDS)
        self._reply_caps = protocol.Caps.from_limits(settings.limits, protocol.RESULT_KINDS)
        self._reply_allowance = settings.limits.reply_allowance_elements
        self._sizes = {}
        self.deadline = deadline
        self.environment = {}
        self.startup_seconds = 0.0

    def out_of_time(self):
        """True once the grading's deadline (``time.monotonic()`` value) has passed.

        Returns
        -------
        bool
            Always False without a deadline.
        """
        return self.deadline is not None and time.monotonic() >= self.deadline

    def call(self, func, *args, keep=(), expect=None, timeout=None, **kwargs):
        """See ``interface.Runner.call``; handles are :class:`Handle`."""
        request = {"op": "call", "target": func, "args": list(args), "kwargs": kwargs,
                   "keep": list(keep)}
        return self._request(request, timeout, func, expect)

    def new(self, cls, *args, timeout=None, **kwargs):
        """See ``interface.Runner.new``; returns a :class:`Handle`."""
        request = {"op": "new", "target": cls, "args": list(args), "kwargs": kwargs}
        return self._request(request, timeout, cls)

    def method(self, handle, name, *args, keep=(), expect=None, timeout=None, **kwargs):
        """See ``interface.Runner.method``."""
        request = {"op": "method", "handle": handle, "name": name, "args": list(args),
                   "kwargs": kwargs, "keep": list(keep)}
        return self._request(request, timeout, f"{handle.label}.{name}", expect)

    def get_attr(self, handle, name, expect=None, timeout=None):
        """See ``interface.Runner.get_attr``."""
        request = {"op": "get_attr", "handle": handle, "name": name}
        return self._request(request, timeout, f"{handle.label}.{name}", expect)

    def set_params(self, handle, params, timeout=None):
        """See ``interface.Runner.set_params``.

        Without ``expect``, the object's later replies may hold as many values as
        ``params`` (gradients, trained parameters), on top of what built it.
        """
        request = {"op": "set_params", "handle": handle, "params": dict(params)}
        self._request(request, timeout, f"setting {handle.label}.params")
        self._sizes[handle] = self._sizes.get(handle, 0) + _elements(params)

    def train(self, handle, data, solver_kwargs, iterations, expect=None, timeout=None,
              seed=None):
        """See ``interface.Runner.train``; the reply is checked to be a history and a dict."""
        request = {"op": "train", "handle": handle, "data": dict(data),
                   "solver_kwargs": dict(solver_kwargs), "iterations": int(iterations),
                   "seed": None if seed is None else seed % NP_RANDOM_SEEDS}
        reply = self._request(request, timeout, "training", expect)
        if (type(reply) is not tuple or len(reply) != 2 or type(reply[1]) is not dict
                or type(reply[0]) is not np.ndarray or reply[0].dtype != np.float64
                or reply[0].ndim != 1 or reply[0].size > iterations):
            raise StudentError("bad_output", "the reply to training is not a history of at most "
                                             f"{iterations} float64 losses and a dict of "
                                             "parameters")
        return reply

    def drop(self, *handles):
        """See ``interface.Runner.drop`` (handles lost in a restart are skipped).

        The child keeps the objects alive until it is killed, so no ``__del__`` runs on
        the grader's time.
        """
        for handle in handles:
            self._sizes.pop(handle, None)
        current = [handle for handle in handles if handle.epoch == self._epoch]
        if current:
            self._request({"op": "drop", "handles": current}, None, "dropping objects")

    def output(self):
        """See ``interface.Runner.output``."""
        raise NotImplementedError

    def close(self):
        """Release the runner; it cannot be used afterwards."""
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _exchange(self, request, timeout, what, caps):
        raise NotImplementedError

    def _explained(self, error):
        """``error``, naming the limit that stopped student code where the evidence shows one."""
        return error

    def _request(self, request, timeout, what, expect=None):
        caps = replace(self._reply_caps, budget=self._budget(request, expect))
        reply = self._exchange(self._outgoing(request), timeout, what, caps)
        if type(reply) is not dict or len(reply) != 1 or not {"ok", "error"} & set(reply):
            raise StudentError("bad_output", f"the child's reply to {what} is malformed")
        if "error" in reply:
            raise self._explained(_student_error(reply["error"], what))
        value = self._incoming(reply["ok"], request, what)
        self._note_sizes(value, request)
        return value

    def _budget(self, request, expect):
        """How many values the reply to ``request`` may hold, and what it should hold.

        ``new``, ``set_params`` and ``drop`` return no arrays. Otherwise the reply holds
        the arrays of ``expect`` (a training reply also one loss per iteration), or,
        without ``expect``, results no larger than the request's arrays and those that
        built the objects it names (a gradient is shaped like its input), ``REPLY_GROWTH``
        times. On top of that, ``limits.reply_allowance_elements`` values.
        """
        op = request["op"]
        if op in ARRAYLESS_OPS:
            return protocol.Budget(0, "no arrays")
        if expect is not None:
            shapes = dict(expect)
            if op == "train":
                shapes = {"the loss history": (request["iterations"],)} | shapes
            elements = sum(math.prod(shape) for shape in shapes.values())
            described = ", ".join(f"{name} of shape {tuple(shape)}"
                                  for name, shape in shapes.items()) or "no arrays"
        else:
            named = sum(self._sizes.get(handle, 0) for handle in _handles(request))
            elements = REPLY_GROWTH * (named + (0 if op == "train" else _elements(request)))
            elements += request["iterations"] if op == "train" else 0
            described = "results no larger than the request implies"
        return protocol.Budget(elements + self._reply_allowance,
                               f"{described} ({elements} values, at most "
                               f"{elements + self._reply_allowance} accepted)")

    def _note_sizes(self, value, request):
        """Remember, for each object kept by this reply, the values of what built it."""
        kept = [handle for handle in _handles(value) if handle not in self._sizes]
        if kept:
            size = _elements(request) + sum(self._sizes.get(handle, 0)
                                            for handle in _handles(request))
            self._sizes.update(dict.fromkeys(kept, size))

    def _outgoing(self, value):
        """``value`` with each Handle replaced by a protocol.Ref, after checking it is alive."""
        if isinstance(value, Handle):
            if value.owner != self._owner:
                raise ValueError(f"{value!r} belongs to another runner")
            if value.epoch != self._epoch:
                raise StudentError("crash", f"the {value.label} #{value.id} was lost when the "
                                            "child restarted after an earlier timeout or crash")
            return protocol.Ref(value.id, value.label)
        if type(value) in (list, tuple):
            return type(value)(self._outgoing(item) for item in value)
        if type(value) is dict:
            return {key: self._outgoing(item) for key, item in value.items()}
        return value

    def _incoming(self, value, request, what):
        """Check a result is what the request's op returns, turning its Refs into Handles.

        A Ref is accepted only where the request asked for a kept object: as the
        whole reply to ``new``, or at a position of ``keep`` in the returned sequence.
        Everything else is made plain by ``dispatch.to_plain``, as in the child.
        """
        op = request["op"]
        if op in EMPTY_REPLY_OPS:
            if value is not None:
                raise _violation(what, value)
            return None
        if op == "new":
            return self._handle(value, what)
        keep = request.get("keep")
        if keep and type(value) in (list, tuple):
            return type(value)(self._handle(item, what) if index in keep
                               else self._plain(item, what)
                               for index, item in enumerate(value))
        return self._plain(value, what)

    def _handle(self, ref, what):
        if type(ref) is not protocol.Ref:
            raise _violation(what, ref)
        return Handle(self._owner, self._epoch, ref.id, ref.label)

    def _plain(self, value, what):
        try:
            return dispatch.to_plain(value, self._reply_caps, f"the reply to {what}")
        except dispatch.Failure as failure:
            raise StudentError("bad_output", failure.message) from None


class InProcessRunner(_Runner):
    """Run the package in this process: same API, no isolation, no time limit.

    Parameters
    ----------
    package : autograder.sandbox.staging.Package
        Staged into a temporary folder of the runner's, removed by ``close``.
    settings : autograder.config.Settings or None
        Its ``limits`` cap results; None: ``config.load()``.
    deadline : float or None
        ``time.monotonic()`` value of the grading's total time limit: only reported by
        ``out_of_time``, since a call here cannot be stopped.

    Notes
    -----
    While a request runs, ``sys.modules["assignment*"]`` (and the modules of its course
    names, ``settings.package_names``) and ``sys.path[0]`` point at the staged package
    (and are restored afterwards), and stdout/stderr are captured.
    ``timeout`` is ignored, and ``os._exit`` in student code ends this process.
    """

    isolation = "none (in-process)"

    def __init__(self, package, settings=None, deadline=None):
        settings = settings or config.load()
        super().__init__(settings, deadline)
        root = package.stage(tempfile.mkdtemp(prefix="inprocess-")).resolve()
        self._root = str(root)
        self._names = _module_names(root / dispatch.PACKAGE, settings.package_names)
        self._dispatcher = dispatch.Dispatcher(self._reply_caps, settings.limits.output_bytes)
        self._modules = {}
        self._printed = _Capture(settings.limits.output_bytes)
        self.environment = dispatch.environment()

    def output(self):
        """What student code printed since the last call, cut to ``limits.output_bytes``."""
        return self._printed.take()

    def close(self):
        """Forget the imported package and remove its folder."""
        self._modules = {}
        shutil.rmtree(self._root, ignore_errors=True)

    def _exchange(self, request, timeout, what, caps):
        received = protocol.loads(protocol.dumps(request, self._request_caps),
                                  self._request_caps)
        with self._activated(), contextlib.redirect_stdout(self._printed), \
                contextlib.redirect_stderr(self._printed):
            buffers = self._dispatcher.respond(received)
        try:
            return protocol.loads(buffers, caps)
        except protocol.ProtocolError as error:
            raise _refused(what, error) from None

    @contextlib.contextmanager
    def _activated(self):
        """Make ``assignment`` mean the staged package while a request runs."""
        saved = _take_modules(self._names)
        sys.modules.update(self._modules)
        sys.path.insert(0, self._root)
        try:
            yield
        finally:
            if self._root in sys.path:  # student code may have edited sys.path
                sys.path.remove(self._root)
            self._modules = _take_modules(self._names)
            sys.modules.update(saved)


class _Capture(io.TextIOBase):
    """A text stream that keeps the first ``limit`` bytes written to it (UTF-8) and counts the rest.

    Parameters
    ----------
    limit : int
        ``limits.output_bytes``.
    """

    def __init__(self, limit):
        super().__init__()
        self._kept = KeptBytes(limit)

    def writable(self):
        return True

    def write(self, text):
        if type(text) is not str:
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._kept.add(text.encode("utf-8", errors="surrogatepass"))
        return len(text)

    def take(self):
        """What was written since the last call: all of it, or its first ``limit`` bytes and a note.

        Returns
        -------
        str
        """
        return self._kept.take(errors="surrogatepass")


class SandboxRunner(_Runner):
    """Run the staged package in an isolated child process.

    Parameters
    ----------
    package : autograder.sandbox.staging.Package
        Staged straight into the child's private folder.
    settings : autograder.config.Settings
        ``limits`` gives the resource limits, caps and default timeout.
    hidden_paths : iterable of path-like
        Extra host folders the child must not see (e.g. the output folder).
    mode : str or None
        Force an isolation mode of ``isolation.MODES``; None: the best that works here.
    deadline : float or None
        ``time.monotonic()`` value past which no call runs on: the grading's total time
        limit (see ``out_of_time``); None: only each call's own timeout.

    Attributes
    ----------
    isolation : str
        How the child is isolated and its memory bounded, for the instructor.
    environment : dict
        The child's hello: ``numpy`` and ``python`` versions, ``uid``, ``pid``...
    startup_seconds : float
        How long the last child took to start (isolation, Python, numpy).

    Raises
    ------
    SandboxError
        When no child can be started (the text says why and what to check).
    """

    def __init__(self, package, settings, hidden_paths=(), mode=None, deadline=None):
        super().__init__(settings, deadline)
        self._limits = settings.limits
        self._default_timeout = settings.limits.time_allowance_seconds * DEFAULT_TIMEOUT_FACTOR
        self._hidden = [str(path) for path in hidden_paths]
        self._runtime = isolation.Runtime.create(package)
        self._child = None
        self._closed = False
        self._pending_output = ""
        self._memory = None
        self._oom_kills = 0
        try:
            memory = self._make_memory_group()
            self._mode = self._first_working_mode(mode)
        except BaseException:
            self._remove_memory_group()
            self._runtime.remove()
            raise
        self.isolation = f"{isolation.describe(self._mode)}; memory: {memory}"

    def output(self):
        """What the child printed since the last call (also before a restart), a few KB."""
        text = self._pending_output + (self._child.take_output() if self._child else "")
        self._pending_output = ""
        return text

    def close(self):
        """Kill the child and everything it started, and remove its private folder."""
        if self._child is not None:
            self._child.kill()
            self._child = None
        self._remove_memory_group()
        self._runtime.remove()
        self._closed = True
        self._epoch += 1

    def _first_working_mode(self, forced):
        rejected = []
        minimum = self._limits.isolation_minimum
        for mode in [forced] if forced else isolation.candidate_modes(minimum):
            try:
                self._start(mode)
            except (SandboxError, isolation.Unavailable, OSError) as error:
                rejected.append(f"{mode}: {error}")
                continue
            if not forced:
                isolation.remember(mode, rejected)
            return mode
        raise SandboxError("no isolation mode could start the child process that runs student "
                           "code: " + "; ".join(rejected or ["no mode was tried"]) + ". "
                           + ("" if forced else isolation.requirements(minimum) + ". ")
                           + "Check that numpy and h5py import in this Python, or grade with "
                           "runner='inprocess'.")

    def _start(self, mode):
        started = time.monotonic()
        child = child_process.Child(lambda fds: self._command(mode, fds), self._limits.output_bytes)
        try:
            hello = child.receive(self._bounded(started + self._default_timeout),
                                  self._reply_caps)
        except (child_process.Timeout, child_process.Gone, protocol.ProtocolError) as error:
            fate = child.kill()
            said = child.take_output().strip() or type(error).__name__
            raise SandboxError(f"the child did not start ({fate}): {said}") from None
        version = hello.get("numpy") if type(hello) is dict else None
        if version != np.__version__:
            child.kill()
            raise SandboxError(f"the child imported numpy {version!r}, the grader uses "
                               f"{np.__version__}; the sandbox maps the wrong Python")
        self._child = child
        self.environment = hello
        self.startup_seconds = time.monotonic() - started

    def _command(self, mode, fds):
        """The child's argv, environment and folder; its command joins the memory group."""
        argv, env, cwd = isolation.command(mode, self._runtime, self._limits, fds, self._hidden)
        return (argv if self._memory is None else self._memory.joined(argv)), env, cwd

    def _exchange(self, request, timeout, what, caps):
        if self._closed:
            raise RuntimeError("this SandboxRunner is closed; create a new one")
        if self.out_of_time():
            raise _past_deadline(what)
        if self._child is None:
            self._restart(what)
        seconds = self._default_timeout if timeout is None else timeout
        buffers = protocol.dumps(request, self._request_caps)
        try:
            return self._child.exchange(buffers, self._bounded(time.monotonic() + seconds), caps)
        except child_process.Timeout:
            self._lose_child()
            if self.out_of_time():
                raise StudentError("timeout", f"{what} was stopped when the grading's total "
                                              "time limit passed") from None
            raise StudentError("timeout", f"{what} was stopped by the time limit of {seconds:g} s "
                                          "per call (wall clock)") from None
        except child_process.Gone:
            fate = self._lose_child()
            raise StudentError("crash", f"the process running student code ended during "
                                        f"{what}: {self._limit_of(fate) or fate}") from None
        except protocol.ProtocolError as error:
            self._lose_child()
            raise _refused(what, error) from None

    def _restart(self, what):
        """Start a new child for ``what``; one the grading's deadline cut short is a StudentError."""
        try:
            self._start(self._mode)
        except SandboxError:
            if self.out_of_time():
                raise _past_deadline(what) from None
            raise

    def _bounded(self, deadline):
        """``deadline``, or the grading's deadline when that comes first."""
        return deadline if self.deadline is None else min(deadline, self.deadline)

    def _lose_child(self):
        """Kill the child after a failure; the next call starts a new one."""
        fate = self._child.kill()
        self._pending_output += self._child.take_output()
        self._child = None
        self._epoch += 1
        return fate

    def _explained(self, error):
        """``error`` with the limit that stopped student code named, from the evidence."""
        limit = self._limit_of(error.message)
        if limit is None:
            return error
        return StudentError(error.kind, f"{error.message} ({limit})", error.details)

    def _limit_of(self, message):
        """``_limit_reached`` for ``message``; the OOM kills since the last call are evidence."""
        oom_kills = self._memory.oom_kills() if self._memory is not None else 0
        memory_killed, self._oom_kills = oom_kills > self._oom_kills, oom_kills
        scratch_mib = (self._limits.max_file_size_mib
                       if self._mode in isolation.BOUNDED_SCRATCH_MODES else None)
        return _limit_reached(self._limits, message, memory_killed, scratch_mib)

    def _make_memory_group(self):
        """Give the child a memory cgroup where one can be made; the memory level reached."""
        try:
            self._memory = cgroup.MemoryGroup.create(self._limits.memory_mib)
        except cgroup.Unavailable as reason:
            return cgroup.fallback_level(self._limits.address_space_mib, reason)
        return self._memory.level

    def _remove_memory_group(self):
        if self._memory is not None:
            self._memory.remove()


def _student_error(error, what):
    """The StudentError of an error reply, or a bad_output one if the reply is malformed."""
    if (type(error) is not dict or error.get("kind") not in KINDS
            or not all(type(error.get(key)) is str for key in ("message", "details"))):
        return StudentError("bad_output", f"the child's error reply to {what} is malformed")
    return StudentError(error["kind"], error["message"], error["details"])


def _limit_reached(limits, message, memory_killed=False, scratch_mib=None):
    """The limit of ``grading.toml`` that stopped student code, in words, from the evidence.

    Parameters
    ----------
    limits : autograder.config.Limits
    message : str
        A StudentError's message: how the child ended (``"... killed by SIGXCPU ..."``),
        or the exception student code raised (``"MemoryError: ..."``).
    memory_killed : bool
        The kernel killed a process of the child's memory cgroup for its limit.
    scratch_mib : int or None
        The size of the child's scratch file system, where the mode bounds it.

    Returns
    -------
    str or None
        E.g. ``"stopped by the memory limit of 4 GiB"``; None when nothing shows a limit.
    """
    exception = message.split(":", 1)[0]
    if memory_killed:
        return f"stopped by the memory limit of {cgroup.size_text(limits.memory_mib)}"
    if "killed by SIGXCPU" in message:
        return f"stopped by the CPU time limit of {limits.cpu_seconds} s per process"
    if exception.endswith("MemoryError"):  # numpy raises a subclass
        return f"the memory limit of {cgroup.size_text(limits.address_space_mib)} was reached"
    if exception == "BlockingIOError" and f"[Errno {errno.EAGAIN}]" in message:
        return (f"the limit of {limits.max_processes} processes was reached: starting one more "
                "fails with this error")
    if f"[Errno {errno.EFBIG}]" in message:
        return f"the file size limit of {cgroup.size_text(limits.max_file_size_mib)} was reached"
    if f"[Errno {errno.ENOSPC}]" in message and scratch_mib is not None:
        return f"the sandbox's scratch space of {cgroup.size_text(scratch_mib)} is full"
    return None


def _past_deadline(what):
    """The StudentError of a call the grading's total time limit did not let start."""
    return StudentError("timeout", f"{what} was not started: the grading's total time limit "
                                   "has passed")


def _refused(what, error):
    """The StudentError of a reply that ``protocol`` refused with ``error``."""
    if isinstance(error, protocol.TooLarge):
        return StudentError("oversized", f"the reply to {what} was refused unread, being larger "
                                         f"than what was asked for: {error}")
    return StudentError("bad_output", f"the reply to {what} broke the protocol: {error}")


def _elements(value):
    """Elements of every ndarray in ``value`` (nested in lists, tuples and dicts)."""
    if isinstance(value, np.ndarray):
        return value.size
    if type(value) in (list, tuple):
        return sum(_elements(item) for item in value)
    if type(value) is dict:
        return sum(_elements(item) for item in value.values())
    return 0


def _handles(value):
    """Every Handle in ``value`` (nested in lists, tuples and dicts)."""
    if isinstance(value, Handle):
        return [value]
    if type(value) in (list, tuple):
        return [handle for item in value for handle in _handles(item)]
    if type(value) is dict:
        return [handle for item in value.values() for handle in _handles(item)]
    return []


def _violation(what, value):
    return StudentError("bad_output", f"the child sent a {type(value).__name__} back for {what}; "
                                      "only numeric arrays are accepted")


def _module_names(package, aliases):
    """Dotted names of ``package`` and its modules, under its own name and each of ``aliases``."""
    names = set()
    for path in [package / "__init__.py", *package.rglob("*.py")]:
        parts = path.relative_to(package).with_suffix("").parts
        inner = parts[:-1] if parts[-1] == "__init__" else parts
        names.update(".".join((prefix, *inner)) for prefix in {package.name, *aliases})
    return sorted(names)


def _take_modules(names):
    """Remove and return the modules of ``names`` found in sys.modules."""
    return {name: sys.modules.pop(name) for name in names if name in sys.modules}

