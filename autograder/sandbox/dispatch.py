"""Carry out one request of the grader against the student's package.

Used by the child process (``worker.py``) and, unchanged, by ``InProcessRunner``, so
both runners import, call, keep objects and judge return values the same way. A
request is a dict decoded by ``protocol``; the reply is ``{"ok": value}`` or
``{"error": {"kind", "message", "details"}}`` with kind ``"import"``,
``"exception"``, ``"not_implemented"`` (the function or method is missing, or returned
the template's ``None`` where a result belongs), ``"bad_output"`` or ``"crash"`` (an
object that no longer exists).

Imports only the standard library, numpy and ``protocol`` (the child gets a copy).
"""

import importlib
import os
import sys
import traceback

import numpy as np

from . import protocol

PACKAGE = "assignment"  # a copy of autograder.names.PACKAGE: the child cannot import the grader
TRACEBACK_FRAMES = 6
_ABSENT = object()


class Failure(Exception):
    """Why a request failed; becomes the reply's ``error``."""

    def __init__(self, kind, message, details=""):
        super().__init__(message)
        self.kind, self.message, self.details = kind, message, details

    def reply(self):
        """The error reply of this failure."""
        return {"error": {"kind": self.kind, "message": self.message, "details": self.details}}


def environment():
    """Facts about the interpreter serving requests (the child's hello message).

    Returns
    -------
    dict
        ``numpy`` and ``python`` versions, ``uid``, ``gid``, ``pid``, ``executable``.
    """
    return {"numpy": np.__version__, "python": sys.version.split()[0], "uid": os.getuid(),
            "gid": os.getgid(), "pid": os.getpid(), "executable": sys.executable}


def describe(error, limit):
    """``"ExceptionType: text"`` of an exception raised by student code, never raising.

    Parameters
    ----------
    error : BaseException
    limit : int
        ``limits.output_bytes``: the text keeps at most this many characters (the grader
        cuts it to as many bytes, marking the cut, wherever it shows it).

    Returns
    -------
    str
        Just the type name when the text is empty.
    """
    name = _type_name(type(error))
    try:
        text = str(error)
    except BaseException:  # a student's __str__ may raise anything
        text = "<its message could not be read>"
    text = text[:limit]
    return f"{name}: {text}" if text else name


class Dispatcher:
    """Serve requests against the package ``assignment`` importable from ``sys.path``.

    Parameters
    ----------
    caps : protocol.Caps
        Caps of the replies (``protocol.RESULT_KINDS``); student results beyond them are
        reported as ``bad_output``.
    text_limit : int
        ``limits.output_bytes``: the most characters of an error's text, and of its
        traceback, that a reply carries.
    """

    def __init__(self, caps, text_limit):
        self._caps = caps
        self._text_limit = text_limit
        self._objects = {}
        self._dropped = []
        self._next_id = 1
        self._import_failures = {}

    def respond(self, request):
        """Handle ``request`` and encode the reply.

        Parameters
        ----------
        request : dict
            A decoded request (see ``handle``).

        Returns
        -------
        list of bytes-like
            The reply message's buffers (``protocol.dumps``).
        """
        try:
            return protocol.dumps(self.handle(request), self._caps)
        except protocol.ProtocolError as error:
            failure = Failure("bad_output", f"the result cannot be sent back: {error}")
            return protocol.dumps(failure.reply(), self._caps)

    def handle(self, request):
        """Carry out one request.

        Parameters
        ----------
        request : dict
            ``op`` is one of ``call`` (``target`` "module.function", ``args``, ``kwargs``,
            ``keep``), ``new`` (``target`` "module.Class", ``args``, ``kwargs``),
            ``method`` (``handle``, ``name``, ``args``, ``kwargs``, ``keep``),
            ``get_attr`` (``handle``, ``name``), ``set_params`` (``handle``, ``params``),
            ``train`` (``handle``, ``data``, ``solver_kwargs``, ``iterations``: the most
            losses the history may hold, ``seed``: None or an int for ``np.random.seed``),
            ``drop`` (``handles``: forgotten, but kept alive, so no ``__del__`` runs).
            Handles are ``protocol.Ref``.

        Returns
        -------
        dict
            ``{"ok": value}`` or ``{"error": {...}}``.
        """
        operation = getattr(self, "_op_" + request["op"])
        try:
            return {"ok": operation(request)}
        except Failure as failure:
            return failure.reply()

    def _op_call(self, request):
        function = self._attribute(request["target"])
        result = self._run(function, *self._arguments(request))
        return self._result(result, request["keep"])

    def _op_new(self, request):
        cls = self._attribute(request["target"])
        return self._keep(self._run(cls, *self._arguments(request)))

    def _op_method(self, request):
        target = self._object(request["handle"])
        args, kwargs = self._arguments(request)
        method = self._run(getattr, (target, request["name"], _ABSENT))
        if method is _ABSENT:
            raise Failure("not_implemented", f"{_type_name(type(target))} has no method "
                                             f"{request['name']}")
        result = self._run(method, args, kwargs)
        return self._result(result, request["keep"])

    def _op_get_attr(self, request):
        target = self._object(request["handle"])
        return self._plain(self._run(getattr, (target, request["name"])), request["name"])

    def _op_set_params(self, request):
        target = self._object(request["handle"])

        def assign():
            params = target.params
            for name, value in request["params"].items():
                params[name] = value

        self._run(assign)

    def _op_train(self, request):
        model = self._object(request["handle"])
        solver_class = self._attribute("captioning_solver.CaptioningSolver")

        def train():
            if request["seed"] is not None:
                np.random.seed(request["seed"])
            solver = solver_class(model, request["data"], **request["solver_kwargs"])
            solver.train()
            return solver.loss_history

        history = self._run(train)
        length = self._run(len, (history,))
        if type(length) is not int or length > request["iterations"]:
            raise Failure("bad_output", f"the training history holds {length} losses, but the "
                                        f"solver ran {request['iterations']} iterations (one "
                                        "loss each)")
        try:
            losses = np.array([float(loss) for loss in history], dtype=np.float64)
        except BaseException as error:  # the losses are whatever the student's loss returned
            raise Failure("bad_output", f"a loss of the training history is not a number: "
                                        f"{describe(error, self._text_limit)}") from None
        return losses, self._plain(self._run(getattr, (model, "params")), "params")

    def _op_drop(self, request):
        # Kept alive until the process is killed, so no student __del__ runs now.
        for ref in request["handles"]:
            if ref.id in self._objects:
                self._dropped.append(self._objects.pop(ref.id))

    def _arguments(self, request):
        return self._resolve(request["args"]), self._resolve(request["kwargs"])

    def _resolve(self, value):
        """``value`` with every ``protocol.Ref`` replaced by its kept object."""
        if type(value) is protocol.Ref:
            return self._object(value)
        if type(value) in (list, tuple):
            return type(value)(self._resolve(item) for item in value)
        if type(value) is dict:
            return {key: self._resolve(item) for key, item in value.items()}
        return value

    def _object(self, ref):
        try:
            return self._objects[ref.id]
        except KeyError:
            raise Failure("crash", f"the {ref.label or 'object'} kept as #{ref.id} no longer "
                                   "exists (dropped, or lost when the child restarted)") from None

    def _keep(self, value):
        ref = protocol.Ref(self._next_id, _type_name(type(value))[:100])
        self._objects[ref.id] = value
        self._next_id += 1
        return ref

    def _attribute(self, target):
        """``assignment.<module>.<name>`` for ``target`` "module.name"."""
        module_name, _, name = target.rpartition(".")
        module = self._import(f"{PACKAGE}.{module_name}")
        found = self._run(getattr, (module, name, _ABSENT))
        if found is _ABSENT:
            file = module_name.replace(".", "/") + ".py"
            raise Failure("not_implemented", f"{file} has no {name}")
        return found

    def _import(self, name):
        if name in self._import_failures:
            raise self._import_failures[name]
        try:
            return importlib.import_module(name)
        except BaseException as error:  # SyntaxError, SystemExit, KeyboardInterrupt ...
            failure = Failure("import", describe(error, self._text_limit), self._frames(error))
            self._import_failures[name] = failure
            raise failure from None

    def _run(self, function, args=(), kwargs=None):
        """``function(*args, **kwargs)``; whatever student code raises becomes a Failure."""
        try:
            return function(*args, **(kwargs or {}))
        except Failure:
            raise
        except BaseException as error:  # SystemExit and KeyboardInterrupt cost only this call
            raise Failure("exception", describe(error, self._text_limit),
                          self._frames(error)) from None

    def _frames(self, error):
        """The last traceback frames inside the student's package, paths made relative."""
        package = sys.modules.get(PACKAGE)
        root = os.path.dirname(os.path.dirname(getattr(package, "__file__", None) or os.sep))
        prefix = os.path.join(root, PACKAGE) + os.sep
        try:
            frames = [frame for frame in traceback.extract_tb(error.__traceback__)
                      if frame.filename.startswith(prefix)]
            lines = traceback.format_list(frames[-TRACEBACK_FRAMES:])
            if isinstance(error, SyntaxError):
                lines += traceback.format_exception_only(type(error), error)
        except BaseException:  # a hostile exception object
            return ""
        return "".join(lines).replace(root + os.sep, "")[-self._text_limit:]

    def _result(self, result, keep):
        """A student's result made plain, with the positions in ``keep`` kept as Refs.

        A result that is the template's placeholder (``None``, or ``None`` in a position
        that is not kept) is a ``not_implemented`` failure.
        """
        items = _sequence(result)
        if result is None or (items and all(item is None for item in items)):
            shown = "None" if result is None else repr(tuple(items))
            raise Failure("not_implemented", f"it returned {shown}, the template's placeholder")
        unset = [index for index, item in enumerate(items or ())
                 if item is None and index not in keep]
        if unset:
            raise Failure("not_implemented", f"it returned None as result[{unset[0]}], the "
                                             "template's placeholder")
        if not keep:
            return self._plain(result, "the result")
        if items is None or not all(0 <= index < len(items) for index in keep):
            raise Failure("bad_output", f"expected a tuple with elements at positions "
                                        f"{sorted(keep)}, got a {_type_name(type(result))}")
        plain = [self._keep(item) if index in keep else self._plain(item, f"result[{index}]")
                 for index, item in enumerate(items)]
        return plain if issubclass(type(result), list) else tuple(plain)

    def _plain(self, value, where):
        try:
            return to_plain(value, self._caps, where)
        except Failure:
            raise
        except BaseException as error:  # e.g. a hostile __float__ or __index__
            unreadable = describe(error, self._text_limit)
            raise Failure("bad_output", f"{where} could not be read: {unreadable}") from None


def to_plain(value, caps, where="the result", depth=0):
    """A student's value as plain data: exact ndarrays in lists, tuples and str-keyed dicts.

    Parameters
    ----------
    value : object
        ndarrays (and subclasses), numpy scalars and Python numbers become exact
        ``np.ndarray`` (0-d for scalars); lists, tuples and dicts are converted item
        by item.
    caps : protocol.Caps
        Accepted dtype kinds and the largest array.
    where : str
        How to name ``value`` in a message, e.g. ``"result[1]"``.

    Returns
    -------
    object

    Raises
    ------
    Failure
        kind ``"bad_output"``, naming where and what type was found.
    """
    if depth > protocol.MAX_DEPTH:
        raise Failure("bad_output", f"{where} is nested deeper than {protocol.MAX_DEPTH} levels")
    kind = type(value)
    if issubclass(kind, (np.ndarray, np.generic, bool, int, float)):
        return _plain_array(_as_array(value, kind), caps, where)
    items = _sequence(value)
    if items is not None:
        plain = [to_plain(item, caps, f"{where}[{index}]", depth + 1)
                 for index, item in enumerate(items)]
        return plain if issubclass(kind, list) else tuple(plain)
    if issubclass(kind, dict):
        entries = list(dict.items(value))
        for key, _ in entries:
            if type(key) is not str:
                raise Failure("bad_output", f"{where} has a key of type {_type_name(type(key))}; "
                                            "only str keys are accepted")
        return {key: to_plain(item, caps, f"{where}[{key!r}]", depth + 1) for key, item in entries}
    shown = "None" if value is None else f"a {_type_name(kind)}"
    raise Failure("bad_output", f"{where} is {shown}; the grader accepts only numeric arrays "
                                "(or tuples, lists and dicts of them)")


def _as_array(value, kind):
    """A base-class ndarray of a number-like value, without calling its own methods."""
    if issubclass(kind, np.ndarray):
        return np.ndarray.view(value, np.ndarray)
    if issubclass(kind, np.generic):
        return np.asarray(value)
    if kind is bool:
        return np.asarray(value)
    return np.asarray(int.__int__(value) if issubclass(kind, int) else float.__float__(value))


def _plain_array(array, caps, where):
    try:
        protocol.check_dtype(array.dtype, caps.kinds)
    except protocol.ProtocolError:
        raise Failure("bad_output", f"{where} is an array of dtype {array.dtype}; only bool, "
                                    "integer and float arrays are accepted") from None
    if array.size > caps.max_elements:
        raise Failure("bad_output", f"{where} has {array.size} elements, over the cap of "
                                    f"{caps.max_elements} (limits.max_array_elements)")
    return array


def _sequence(value):
    """The items of a tuple or list (subclasses read with the base class's iterator)."""
    kind = type(value)
    if issubclass(kind, tuple):
        return list(tuple.__iter__(value))
    if issubclass(kind, list):
        return list(list.__iter__(value))
    return None


def _type_name(kind):
    try:
        return str(type.__getattribute__(kind, "__qualname__"))[:200]
    except BaseException:  # a hostile metaclass
        return "object"
