"""The wire format between the grader and the child process that runs student code.

A message is a fixed preamble, a JSON header and a payload of raw array bytes::

    preamble  magic b"RNNG", header length (uint32), payload length (uint64)
    header    UTF-8 JSON {"v": value, "a": [[dtype, shape, offset, nbytes], ...]}
    payload   the arrays' bytes, each starting at a multiple of ``ALIGN``

Values are JSON scalars (None, bool, int, float, str) or one-key tagged objects:
``{"l": [...]}`` list, ``{"t": [...]}`` tuple, ``{"d": {key: value, ...}}`` dict with
str keys, ``{"a": i}`` array i, ``{"s": i}`` numpy scalar (array i, 0-d), ``{"r": [id,
label]}`` an object kept by the child, ``{"dt": str, "cls": bool}`` a numpy dtype (or
its scalar type when ``cls``). Nothing is ever pickled: the reader rebuilds every array
with ``np.frombuffer`` after checking its dtype against an allowlist of kinds and its
byte count against its shape, and rejects messages over the size caps. A reader given a
``Budget`` (what the request implies) checks the header's arrays against it before it
reads, or allocates, the payload (``parse_header``, then ``build``).

Decoded values are what a Python caller would have passed: str values and dict keys
are interned (so ``cell_type is 'rnn'`` takes the branch it takes in a notebook), int,
float, bool, tuple and dict order are kept, and every array is a fresh C-contiguous,
writable array owning its data (student code may update its inputs in place).

The module is shared by the grader and the child (which gets a copy), so it imports
only the standard library and numpy.
"""

import functools
import json
import math
import os
import struct
import sys
from dataclasses import dataclass

import numpy as np

MAGIC = b"RNNG"
PREAMBLE = struct.Struct("<4sIQ")
HEADER_LIMIT = 1 << 20
ALIGN = 64
WRITEV_BATCH = 512
MAX_DEPTH = 32
MAX_NDIM = 32
SCALARS = frozenset((type(None), bool, int, float, str))
RESULT_KINDS = "biuf"
REQUEST_KINDS = RESULT_KINDS + "US"


class ProtocolError(ValueError):
    """A message breaks the format or its caps; the text says which rule."""


class TooLarge(ProtocolError):
    """A message announces more bytes than its reader's caps allow; nothing was read."""


@dataclass(frozen=True)
class Caps:
    """What a reader accepts and a writer may send.

    Attributes
    ----------
    max_bytes : int
        Largest message (header + payload) in bytes.
    max_elements : int
        Largest array, in elements.
    kinds : str
        Accepted ``dtype.kind`` letters.
    budget : Budget or None
        What one reply may hold in all, from what its request implies; None: only the caps.
    """

    max_bytes: int
    max_elements: int
    kinds: str
    budget: "Budget | None" = None

    @classmethod
    def from_limits(cls, limits, kinds):
        """Caps from ``autograder.config.Limits`` (or a dict with its field names).

        Parameters
        ----------
        limits : Limits or dict
            Needs ``max_message_mib`` and ``max_array_elements``.
        kinds : str
            ``RESULT_KINDS`` for what the child sends, ``REQUEST_KINDS`` for what the
            grader sends.

        Returns
        -------
        Caps
        """
        get = limits.get if isinstance(limits, dict) else lambda name: getattr(limits, name)
        return cls(int(get("max_message_mib")) << 20, int(get("max_array_elements")), kinds)


@dataclass(frozen=True)
class Budget:
    """The most one reply may hold, derived from its request, checked before its payload is read.

    Attributes
    ----------
    elements : int
        Largest total element count of the reply's arrays.
    expected : str
        What the request implies, for messages, e.g. ``"h of shape (3, 4, 5)"``.
    """

    elements: int
    expected: str


@dataclass(frozen=True)
class Header:
    """A message's decoded header, its array descriptors checked (``parse_header``).

    Attributes
    ----------
    tree : object
        The JSON tree of the value.
    arrays : list of (numpy.dtype, tuple of int, int, int)
        Each array's dtype, shape, offset and byte count in the payload.
    """

    tree: object
    arrays: list


@dataclass(frozen=True)
class Ref:
    """An object that stays in the child, named by ``id``; ``label`` is its type name."""

    id: int
    label: str = ""


def check_dtype(dtype, kinds):
    """Raise ProtocolError unless ``dtype`` is a plain dtype of an accepted kind.

    Parameters
    ----------
    dtype : numpy.dtype
    kinds : str

    Returns
    -------
    numpy.dtype
        ``dtype`` itself.
    """
    if dtype.kind not in kinds or dtype.fields is not None or dtype.subdtype is not None:
        raise ProtocolError(f"arrays of dtype {dtype} are not accepted (allowed kinds: {kinds})")
    return dtype


def dumps(value, caps):
    """Encode ``value`` as the buffers of one message.

    Parameters
    ----------
    value : object
        Built from None, bool, int, float, str, list, tuple, dict with str keys,
        numpy arrays and scalars, numpy dtypes and scalar types, and ``Ref``.
    caps : Caps

    Returns
    -------
    list of bytes-like
        Preamble, header, then each array's padding and bytes; write them in order.

    Raises
    ------
    ProtocolError
        For a value of another type, an array of a refused dtype, or a message over the caps.
    """
    arrays = []
    tree = _encode(value, arrays, caps, 0)
    descriptors, buffers, end = [], [], 0
    for array in arrays:
        offset = -(-end // ALIGN) * ALIGN
        if offset > end:
            buffers.append(bytes(offset - end))
        descriptors.append([array.dtype.str, list(array.shape), offset, array.nbytes])
        buffers.append(array.reshape(-1).view(np.uint8).data)
        end = offset + array.nbytes
    header = json.dumps({"v": tree, "a": descriptors}, separators=(",", ":")).encode()
    if len(header) > HEADER_LIMIT:
        raise ProtocolError(f"message header of {len(header)} bytes exceeds {HEADER_LIMIT}")
    if len(header) + end > caps.max_bytes:
        raise ProtocolError(f"message of {len(header) + end} bytes exceeds the cap of "
                            f"{caps.max_bytes} bytes (limits.max_message_mib)")
    return [PREAMBLE.pack(MAGIC, len(header), end), header, *buffers]


def parse_preamble(data, caps):
    """Lengths announced by a preamble, after checking them against the caps.

    Parameters
    ----------
    data : bytes-like of length ``PREAMBLE.size``
    caps : Caps

    Returns
    -------
    header_length, payload_length : int
    """
    magic, header_length, payload_length = PREAMBLE.unpack(bytes(data))
    if magic != MAGIC:
        raise ProtocolError(f"message does not start with {MAGIC!r} (got {magic!r})")
    if header_length > HEADER_LIMIT:
        raise TooLarge(f"announced header of {header_length} bytes exceeds {HEADER_LIMIT}")
    if header_length + payload_length > caps.max_bytes:
        expected = f"expected {caps.budget.expected}; " if caps.budget else ""
        raise TooLarge(f"{expected}announced message of {header_length + payload_length} bytes "
                       f"exceeds the cap of {caps.max_bytes} bytes")
    return header_length, payload_length


def parse_header(header, payload_length, caps):
    """Decode a header and check its arrays against the caps, before the payload is read.

    Parameters
    ----------
    header : bytes-like
        The JSON header.
    payload_length : int
        The payload length the preamble announced; it must be exactly what the arrays use.
    caps : Caps
        With a ``budget``, the arrays' total element count must be within it.

    Returns
    -------
    Header

    Raises
    ------
    TooLarge
        When the arrays hold more elements than the budget allows.
    ProtocolError
        For anything else that breaks the format or the caps.
    """
    try:
        document = json.loads(bytes(header).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ProtocolError(f"message header is not valid JSON: {error}") from None
    if type(document) is not dict or set(document) != {"v", "a"} or type(document["a"]) is not list:
        raise ProtocolError("message header must be an object with keys 'v' and 'a'")
    arrays = _descriptors(document["a"], caps)
    end = arrays[-1][2] + arrays[-1][3] if arrays else 0
    if end != payload_length:
        raise ProtocolError(f"the arrays of the header use {end} bytes of a {payload_length}-byte "
                            "payload (they must use it exactly)")
    elements = sum(math.prod(shape) for _, shape, _, _ in arrays)
    if caps.budget is not None and elements > caps.budget.elements:
        raise TooLarge(f"expected {caps.budget.expected}; the reply holds {_shapes_text(arrays)} "
                       f"({elements} values, {payload_length} bytes)")
    return Header(document["v"], arrays)


def build(header, payload, caps):
    """Rebuild the value of a message from its checked header and its payload.

    Parameters
    ----------
    header : Header
        From ``parse_header``.
    payload : bytes-like
        The arrays' bytes; the returned arrays are copies, sharing no memory with it.
    caps : Caps

    Returns
    -------
    object

    Raises
    ------
    ProtocolError
        For a value tree that breaks the format.
    """
    arrays = [np.frombuffer(payload, dtype=dtype, count=math.prod(shape),
                            offset=offset).reshape(shape)
              for dtype, shape, offset, _ in header.arrays]
    return _decode(header.tree, arrays, set(), caps, 0)


def loads(buffers, caps):
    """Decode one whole message held in memory (e.g. the buffers of ``dumps``).

    The decoded arrays are fresh copies: they share no memory with ``buffers``.

    Parameters
    ----------
    buffers : list of bytes-like
        Preamble, header and payload, exactly, in any number of pieces.
    caps : Caps

    Returns
    -------
    object
    """
    stream = _Pieces(buffers)
    value = read_message(stream, caps)
    if stream.left:
        raise ProtocolError(f"{stream.left} bytes follow the message")
    return value


class _Pieces:
    """A readable stream over byte buffers held in memory."""

    def __init__(self, buffers):
        self._views = byte_views(buffers)

    @property
    def left(self):
        return sum(len(view) for view in self._views)

    def readinto(self, target):
        if not self._views:
            return 0
        count = min(len(self._views[0]), len(target))
        target[:count] = self._views[0][:count]
        self._views = advance(self._views, count)
        return count


def read_message(stream, caps):
    """Read one message from a blocking binary stream.

    Parameters
    ----------
    stream : io.RawIOBase
        With ``readinto`` (e.g. ``open(fd, "rb", buffering=0)``).
    caps : Caps

    Returns
    -------
    object or None
        None at a clean end of stream (before a preamble).

    Raises
    ------
    ProtocolError
        For a malformed message or an end of stream inside one.
    """
    preamble = _read_exact(stream, PREAMBLE.size, allow_eof=True)
    if preamble is None:
        return None
    header_length, payload_length = parse_preamble(preamble, caps)
    header = parse_header(_read_exact(stream, header_length), payload_length, caps)
    return build(header, _read_exact(stream, payload_length), caps)


def write_message(fd, buffers):
    """Write the buffers of ``dumps`` to a blocking file descriptor, completely.

    Parameters
    ----------
    fd : int
    buffers : list of bytes-like
    """
    views = byte_views(buffers)
    while views:
        views = advance(views, os.writev(fd, views[:WRITEV_BATCH]))


def byte_views(buffers):
    """Non-empty flat byte memoryviews of ``buffers``, for ``os.writev``.

    Parameters
    ----------
    buffers : list of bytes-like

    Returns
    -------
    list of memoryview
    """
    views = [memoryview(buffer).cast("B") for buffer in buffers]
    return [view for view in views if len(view)]


def advance(views, count):
    """``views`` without their first ``count`` bytes (after a partial write).

    Parameters
    ----------
    views : list of memoryview
    count : int

    Returns
    -------
    list of memoryview
    """
    while views and count >= len(views[0]):
        count -= len(views[0])
        views = views[1:]
    if views and count:
        views = [views[0][count:], *views[1:]]
    return views


def _read_exact(stream, size, allow_eof=False):
    view = memoryview(bytearray(size))
    got = 0
    while got < size:
        count = stream.readinto(view[got:])
        if not count:
            if allow_eof and got == 0:
                return None
            raise ProtocolError(f"stream ended after {got} of {size} bytes of a message")
        got += count
    return view


def _encode(value, arrays, caps, depth):
    """The JSON tree of ``value``; arrays are appended to ``arrays``."""
    if depth > MAX_DEPTH:
        raise ProtocolError(f"value is nested deeper than {MAX_DEPTH} levels")
    kind = type(value)
    if kind in SCALARS:
        return value
    if kind in (list, tuple):
        items = [_encode(item, arrays, caps, depth + 1) for item in value]
        return {"l" if kind is list else "t": items}
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise ProtocolError("dict keys must be str")
        return {"d": {key: _encode(item, arrays, caps, depth + 1) for key, item in value.items()}}
    if kind is Ref:
        return {"r": [value.id, value.label]}
    if isinstance(value, np.dtype):
        return {"dt": check_dtype(value, caps.kinds).str, "cls": False}
    if kind is type and issubclass(value, np.generic):
        return {"dt": check_dtype(np.dtype(value), caps.kinds).str, "cls": True}
    if isinstance(value, (np.ndarray, np.generic)):
        tag = "a" if isinstance(value, np.ndarray) else "s"
        arrays.append(_wire_array(value, caps))
        return {tag: len(arrays) - 1}
    raise ProtocolError(f"cannot send a value of type {kind.__name__}")


def _wire_array(value, caps):
    """A native-endian, C-contiguous base-class ndarray of ``value``, checked against caps."""
    array = np.asarray(value)
    if not array.flags.c_contiguous:
        array = np.array(array, order="C")
    check_dtype(array.dtype, caps.kinds)
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    if array.size > caps.max_elements:
        raise ProtocolError(f"array of {array.size} elements exceeds the cap of "
                            f"{caps.max_elements} (limits.max_array_elements)")
    return array


def _descriptors(descriptors, caps):
    """``(dtype, shape, offset, nbytes)`` of every array descriptor, each checked."""
    arrays, end = [], 0
    for descriptor in descriptors:
        if type(descriptor) is not list or len(descriptor) != 4:
            raise ProtocolError("array descriptor must be [dtype, shape, offset, nbytes]")
        dtype_text, shape, offset, nbytes = descriptor
        dtype = _dtype(dtype_text, caps)
        if (type(shape) is not list or len(shape) > MAX_NDIM
                or not all(type(n) is int and n >= 0 for n in shape)):
            raise ProtocolError(f"array shape {shape!r} is not a list of at most {MAX_NDIM} "
                                "non-negative ints")
        count = math.prod(shape)
        if count > caps.max_elements:
            raise ProtocolError(f"array of {count} elements exceeds the cap of {caps.max_elements}")
        if type(offset) is not int or type(nbytes) is not int or offset < end:
            raise ProtocolError("array offsets must be ints in increasing, non-overlapping order")
        if count * dtype.itemsize != nbytes:
            raise ProtocolError(f"array of shape {shape} and dtype {dtype} announces {nbytes} "
                                "bytes")
        arrays.append((dtype, tuple(shape), offset, nbytes))
        end = offset + nbytes
    return arrays


def _shapes_text(arrays, shown=3):
    """``"arrays of shapes (2, 3), (4,) and 5 more"`` for checked descriptors."""
    if not arrays:
        return "no arrays"
    shapes = ", ".join(str(shape) for _, shape, _, _ in arrays[:shown])
    more = f" and {len(arrays) - shown} more" if len(arrays) > shown else ""
    return f"arrays of shapes {shapes}{more}"


def _dtype(text, caps):
    if type(text) is not str:
        raise ProtocolError(f"dtype must be a string, got {text!r}")
    return check_dtype(_parse_dtype(text), caps.kinds)


@functools.lru_cache(maxsize=256)
def _parse_dtype(text):
    try:
        return np.dtype(text)
    except (TypeError, ValueError, SyntaxError) as error:
        raise ProtocolError(f"unknown dtype {text!r}: {error}") from None


def _decode(node, arrays, used, caps, depth):
    """The value of a JSON tree node; each array may be used once."""
    if type(node) is str:
        return sys.intern(node)
    if type(node) in SCALARS:
        return node
    if depth > MAX_DEPTH:
        raise ProtocolError(f"value is nested deeper than {MAX_DEPTH} levels")
    if type(node) is not dict or len(node) not in (1, 2):
        raise ProtocolError(f"unexpected JSON node {str(node)[:80]!r}")
    if "dt" in node and type(node.get("cls")) is bool and len(node) == 2:
        dtype = _dtype(node["dt"], caps)
        return dtype.type if node["cls"] else dtype
    if len(node) != 1:
        raise ProtocolError(f"unexpected JSON node {str(node)[:80]!r}")
    (tag, body), = node.items()
    if tag in ("l", "t") and type(body) is list:
        items = [_decode(item, arrays, used, caps, depth + 1) for item in body]
        return items if tag == "l" else tuple(items)
    if tag == "d" and type(body) is dict:
        return {sys.intern(key): _decode(item, arrays, used, caps, depth + 1)
                for key, item in body.items()}
    if tag in ("a", "s") and type(body) is int:
        if not 0 <= body < len(arrays) or body in used:
            raise ProtocolError(f"array reference {body} is unknown or used twice")
        used.add(body)
        if tag == "a":
            return arrays[body].copy(order="C")
        if arrays[body].ndim:
            raise ProtocolError(f"scalar reference {body} names an array of shape "
                                f"{arrays[body].shape}")
        return arrays[body][()]
    if (tag == "r" and type(body) is list and len(body) == 2
            and type(body[0]) is int and type(body[1]) is str):
        return Ref(body[0], body[1])
    raise ProtocolError(f"unexpected JSON node {str(node)[:80]!r}")

