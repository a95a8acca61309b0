"""The runners through which item graders call student code.

``SandboxRunner`` serves every call from one isolated child process (restarted after a
timeout or a crash); ``InProcessRunner`` imports the staged package in this process
(no isolation; for benchmarks and fast paths). Both send arguments by value, keep
objects as ``Handle``s, and turn results into plain numeric arrays the same way: the
request and the reply go through ``protocol`` in both, and ``dispatch`` carries them
out in both.
"""

import contextlib
import errno
import io
import itertools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import config
from ..text import truncated
from . import child as child_process
from . import cgroup, dispatch, isolation, protocol

KINDS = ("import", "exception", "not_implemented", "timeout", "crash", "bad_output")
DEFAULT_TIMEOUT_FACTOR = 4
# A reply may hold this many times the bytes its request sent (and the objects it names
# were built from): a float32 input may come back as float64, once as values, once as a
# gradient. Replies to set_params and drop hold nothing.
REPLY_GROWTH = 4
EMPTY_REPLY_OPS = ("set_params", "drop")
_owners = itertools.count(1)


NP_RANDOM_SEEDS = 2**32


class StudentError(Exception):
    """Student code failed; never a fault of the grader.

    Parameters
    ----------
    kind : str
        ``"import"`` (the staged package failed to import), ``"exception"`` (student
        code raised; ``message`` is ``"ExceptionType: text"``), ``"not_implemented"``
        (the function is missing or returned the template's ``None``), ``"timeout"``
        (wall-clock limit), ``"crash"`` (the child died, or a Handle was lost with it)
        or ``"bad_output"`` (a result that is not plain numeric data).
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
    """The API shared by both runners; subclasses implement ``_exchange``."""

    isolation = ""

    def __init__(self, settings, deadline=None):
        self._owner = next(_owners)
        self._epoch = 0
        self._request_caps = protocol.Caps.from_limits(settings.limits, protocol.REQUEST_KINDS)
        self._reply_caps = protocol.Caps.from_limits(settings.limits, protocol.RESULT_KINDS)
        self._reply_allowance = settings.limits.reply_allowance_mib << 20
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

    def call(self, func, *args, keep=(), timeout=None, **kwargs):
        """Call ``assignment.<func>(*args, **kwargs)``.

        Parameters
        ----------
        func : str
            E.g. ``"rnn_layers.rnn_step_forward"``.
        *args, **kwargs
            numpy arrays (sent by value), Python scalars and str, None, lists,
            tuples and dicts of those, ``Handle``s, numpy dtypes and scalar types.
        keep : tuple of int
            Positions of the returned tuple to keep in the runner, returned as Handles
            (e.g. ``keep=(1,)`` for a cache).
        timeout : float or None
            Wall-clock seconds; None: ``limits.time_allowance_seconds * 4``.

        Returns
        -------
        object
            Exact ndarrays (0-d for scalars) in the returned tuples, lists and dicts.

        Raises
        ------
        StudentError
        """
        request = {"op": "call", "target": func, "args": list(args), "kwargs": kwargs,
                   "keep": list(keep)}
        return self._request(request, timeout, func)

    def new(self, cls, *args, timeout=None, **kwargs):
        """Instantiate ``assignment.<cls>`` and keep it.

        Parameters
        ----------
        cls : str
            E.g. ``"classifiers.rnn.CaptioningRNN"``.
        *args, **kwargs
            As for ``call``.
        timeout : float or None

        Returns
        -------
        Handle

        Raises
        ------
        StudentError
        """
        request = {"op": "new", "target": cls, "args": list(args), "kwargs": kwargs}
        return self._request(request, timeout, cls)

    def method(self, handle, name, *args, keep=(), timeout=None, **kwargs):
        """Call a method of a kept object, like ``call``.

        Parameters
        ----------
        handle : Handle
        name : str
            E.g. ``"loss"``, which returns ``(0-d array, {param name: array})``.
        *args, keep, timeout, **kwargs
            As for ``call``.

        Returns
        -------
        object

        Raises
        ------
        StudentError
        """
        request = {"op": "method", "handle": handle, "name": name, "args": list(args),
                   "kwargs": kwargs, "keep": list(keep)}
        return self._request(request, timeout, f"{handle.label}.{name}")

    def get_attr(self, handle, name, timeout=None):
        """An attribute of a kept object, converted like a result.

        Parameters
        ----------
        handle : Handle
        name : str
            E.g. ``"params"`` (a dict of arrays).
        timeout : float or None

        Returns
        -------
        object

        Raises
        ------
        StudentError
        """
        request = {"op": "get_attr", "handle": handle, "name": name}
        return self._request(request, timeout, f"{handle.label}.{name}")

    def set_params(self, handle, params, timeout=None):
        """Replace ``model.params[name]`` with a copy of each given array.

        The object's later replies may be as large as ``params`` (gradients, trained
        parameters), on top of what built it.

        Parameters
        ----------
        handle : Handle
        params : dict
            {name: ndarray}.
        timeout : float or None

        Raises
        ------
        StudentError
        """
        request = {"op": "set_params", "handle": handle, "params": dict(params)}
        self._request(request, timeout, f"setting {handle.label}.params")
        self._sizes[handle] = self._sizes.get(handle, 0) + _payload_bytes(params)

    def train(self, handle, data, solver_kwargs, iterations, timeout=None, seed=None):
        """Train a kept model with the pristine ``CaptioningSolver``.

        Parameters
        ----------
        handle : Handle
            A ``CaptioningRNN``.
        data : dict
            Arrays ``train_captions`` (N, T), ``train_image_idxs`` (N,),
            ``train_features`` (M, D) and ``train_urls`` (M,) of str.
        solver_kwargs : dict
            Keyword arguments of ``CaptioningSolver``.
        iterations : int
            How many iterations these settings make the solver run: the loss history
            has one loss per iteration, and a longer one is refused unread.
        timeout : float or None
        seed : int or None
            Seeds ``np.random`` where the model trains (the solver draws its minibatches
            from it), so that a regrade repeats the training exactly. Any int: it is
            reduced modulo 2**32, the range ``np.random.seed`` accepts.

        Returns
        -------
        loss_history : ndarray of float64, shape (iterations,)
        params : dict of ndarray
            The model's parameters after training.

        Raises
        ------
        StudentError
        """
        request = {"op": "train", "handle": handle, "data": dict(data),
                   "solver_kwargs": dict(solver_kwargs), "iterations": int(iterations),
                   "seed": None if seed is None else seed % NP_RANDOM_SEEDS}
        reply = self._request(request, timeout, "training")
        if (type(reply) is not tuple or len(reply) != 2 or type(reply[1]) is not dict
                or type(reply[0]) is not np.ndarray or reply[0].dtype != np.float64
                or reply[0].ndim != 1 or reply[0].size > iterations):
            raise StudentError("bad_output", "the reply to training is not a history of at most "
                                             f"{iterations} float64 losses and a dict of "
                                             "parameters")
        return reply

    def drop(self, *handles):
        """Forget kept objects (handles lost in a restart are skipped).

        No student code runs for it: the child keeps the objects alive until it is
        killed, so no ``__del__`` runs on the grader's time.

        Parameters
        ----------
        *handles : Handle
        """
        for handle in handles:
            self._sizes.pop(handle, None)
        current = [handle for handle in handles if handle.epoch == self._epoch]
        if current:
            self._request({"op": "drop", "handles": current}, None, "dropping objects")

    def output(self):
        """What student code printed since the last call, truncated to a few KB.

        Returns
        -------
        str
        """
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

    def _request(self, request, timeout, what):
        caps = self._caps_of_reply(request)
        reply = self._exchange(self._outgoing(request), timeout, what, caps)
        if type(reply) is not dict or len(reply) != 1 or not {"ok", "error"} & set(reply):
            raise StudentError("bad_output", f"the child's reply to {what} is malformed")
        if "error" in reply:
            raise self._explained(_student_error(reply["error"], what))
        value = self._incoming(reply["ok"], request, what)
        self._note_sizes(value, request)
        return value

    def _caps_of_reply(self, request):
        """The caps of the reply to ``request``: no larger than what the request can explain.

        A reply holds results shaped like the request's arrays, and like the arrays that
        built the objects it names (a gradient is shaped like its input); a training reply
        holds one loss per iteration and the model's parameters. On top of that, every
        reply may hold ``limits.reply_allowance_mib`` (headers, small results).
        """
        op = request["op"]
        if op in EMPTY_REPLY_OPS:
            budget = 0
        elif op == "train":
            budget = (np.dtype(np.float64).itemsize * request["iterations"]
                      + REPLY_GROWTH * self._sizes.get(request["handle"], 0))
        else:
            budget = REPLY_GROWTH * (_payload_bytes(request) + sum(
                self._sizes.get(handle, 0) for handle in _handles(request)))
        limit = min(self._reply_caps.max_bytes, budget + self._reply_allowance)
        return protocol.Caps(limit, self._reply_caps.max_elements, self._reply_caps.kinds)

    def _note_sizes(self, value, request):
        """Remember, for each object kept by this reply, the bytes of what built it."""
        kept = [handle for handle in _handles(value) if handle not in self._sizes]
        if kept:
            size = _payload_bytes(request) + sum(self._sizes.get(handle, 0)
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
        kind = type(value)
        if kind is np.ndarray:
            return value
        if kind in (list, tuple):
            return kind(self._plain(item, what) for item in value)
        if kind is dict:
            return {key: self._plain(item, what) for key, item in value.items()}
        raise _violation(what, value)


class InProcessRunner(_Runner):
    """Run the staged package in this process: same API, no isolation, no time limit.

    Parameters
    ----------
    package_root : path-like
        The folder holding the staged ``assignment`` package.
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

    def __init__(self, package_root, settings=None, deadline=None):
        settings = settings or config.load()
        super().__init__(settings, deadline)
        self._output_limit = settings.limits.output_bytes
        root = Path(package_root).resolve()
        if not (root / dispatch.PACKAGE).is_dir():
            raise FileNotFoundError(f"{root / dispatch.PACKAGE} does not exist: stage the "
                                    "submission first (autograder.submission.stage)")
        self._root = str(root)
        self._names = _module_names(root / dispatch.PACKAGE, settings.package_names)
        self._dispatcher = dispatch.Dispatcher(self._reply_caps)
        self._modules = {}
        self._printed = io.StringIO()
        self.environment = dispatch.environment()

    def output(self):
        """What student code printed since the last call, truncated to a few KB."""
        text = self._printed.getvalue()
        self._printed = io.StringIO()
        return truncated(text, self._output_limit)

    def close(self):
        """Forget the imported package."""
        self._modules = {}

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


class SandboxRunner(_Runner):
    """Run the staged package in an isolated child process.

    Parameters
    ----------
    package_root : path-like
        The folder holding the staged ``assignment`` package (copied for the child).
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

    def __init__(self, package_root, settings, hidden_paths=(), mode=None, deadline=None):
        super().__init__(settings, deadline)
        self._limits = settings.limits
        self._default_timeout = settings.limits.time_allowance_seconds * DEFAULT_TIMEOUT_FACTOR
        self._hidden = [str(path) for path in hidden_paths]
        self._runtime = isolation.Runtime.create(package_root)
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
        return StudentError("bad_output", f"the reply to {what} was refused unread: it is "
                                          f"larger than its request can explain ({error})")
    return StudentError("bad_output", f"the reply to {what} broke the protocol: {error}")


def _payload_bytes(value):
    """Bytes of every ndarray in ``value`` (nested in lists, tuples and dicts)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if type(value) in (list, tuple):
        return sum(_payload_bytes(item) for item in value)
    if type(value) is dict:
        return sum(_payload_bytes(item) for item in value.values())
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

