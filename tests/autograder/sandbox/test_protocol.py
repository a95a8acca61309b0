"""The wire format: exact round trips, and refusal of everything outside the allowlist."""

import json

import numpy as np
import pytest

from autograder.sandbox import protocol

CAPS = protocol.Caps(max_bytes=1 << 20, max_elements=1000, kinds=protocol.REQUEST_KINDS)
RESULT_CAPS = protocol.Caps(max_bytes=1 << 20, max_elements=1000, kinds=protocol.RESULT_KINDS)


def round_trip(value, caps=CAPS):
    """``value`` encoded and decoded."""
    return protocol.loads(protocol.dumps(value, caps), caps)


def forged(header, payload=b"", caps=RESULT_CAPS):
    """Decode a hand-made message (what a hostile child could send)."""
    text = json.dumps(header).encode()
    message = protocol.PREAMBLE.pack(protocol.MAGIC, len(text), len(payload)) + text + payload
    return protocol.loads([message], caps)


def test_values_round_trip_exactly():
    value = {
        "none": None, "flag": True, "int": 2**70, "float": float("nan"), "text": "é",
        "list": [1, (2, 3)], "empty": np.zeros((0, 3)), "scalar": np.float32(1.5),
        "ints": np.arange(12, dtype=np.int16).reshape(3, 4), "bools": np.array([True, False]),
        "swapped": np.arange(3, dtype=">f8"), "strided": np.arange(10.0)[::3],
        "urls": np.array(["http://a", "b"]), "dtype": np.dtype(np.float32), "type": np.float64,
        "ref": protocol.Ref(3, "CaptioningRNN"), "zero_d": np.array(4.0),
    }
    back = round_trip(value)
    assert back.keys() == value.keys()
    assert back["int"] == 2**70 and np.isnan(back["float"]) and back["list"] == [1, (2, 3)]
    assert back["scalar"] == np.float32(1.5) and type(back["scalar"]) is np.float32
    assert back["dtype"] == np.float32 and back["type"] is np.float64
    assert back["ref"] == protocol.Ref(3, "CaptioningRNN")
    for key in ("empty", "ints", "bools", "swapped", "strided", "urls", "zero_d"):
        assert type(back[key]) is np.ndarray and back[key].shape == np.shape(value[key])
        np.testing.assert_array_equal(back[key], value[key])
    assert back["swapped"].dtype.isnative


def test_decoded_values_are_what_a_python_caller_passes():
    """Interned str values and keys, exact scalar and container types, fresh arrays."""
    sent = {"cell_type": "".join(["rn", "n"]), "keys": {"zeta": 1, "alpha": 2.0, "beta": False},
            "shape": (2, 3), "dh": np.arange(12.0).reshape(3, 4)[:, ::2], "x": np.ones(3)}
    assert sent["cell_type"] is not "rnn"  # noqa: F632 -- built at run time, not interned
    back = round_trip(sent)
    assert back["cell_type"] is "rnn"  # noqa: F632 -- the comparison students write
    assert [key for key in back["keys"]] == ["zeta", "alpha", "beta"]
    assert all(key is literal for key, literal in zip(back["keys"], ("zeta", "alpha", "beta")))
    assert [type(item) for item in back["keys"].values()] == [int, float, bool]
    assert type(back["shape"]) is tuple and back["shape"] == (2, 3)
    for name in ("dh", "x"):
        array = back[name]
        assert array.flags.writeable and array.flags.owndata and array.flags.c_contiguous
    back["dh"][:, 1] += back["x"][:3]  # rnn_backward's in-place update of an input
    assert not np.shares_memory(back["dh"], back["x"])


@pytest.mark.parametrize("value, reason", [
    (np.array([object()]), "dtype object"),
    (np.zeros(2, dtype=[("a", "f8")]), "not accepted"),
    (np.zeros(2, dtype=complex), "not accepted"),
    (np.zeros(1001), "exceeds the cap"),
    ({1: 2}, "keys must be str"),
    (object(), "cannot send"),
    ({"nested": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}, "deeper"),
])
def test_refuses_to_send(value, reason):
    with pytest.raises(protocol.ProtocolError, match=reason):
        protocol.dumps(value, CAPS)


def test_message_cap_counts_header_and_payload():
    caps = protocol.Caps(max_bytes=4096, max_elements=10**6, kinds="f")
    protocol.dumps(np.zeros(400), caps)
    with pytest.raises(protocol.ProtocolError, match="max_message_mib"):
        protocol.dumps(np.zeros(600), caps)


def test_results_refuse_text_arrays():
    with pytest.raises(protocol.ProtocolError, match="not accepted"):
        protocol.dumps(np.array(["x"]), RESULT_CAPS)


@pytest.mark.parametrize("header, payload, reason", [
    ({"v": {"a": 0}, "a": [["|O", [1], 0, 8]]}, bytes(8), "not accepted"),
    ({"v": {"a": 0}, "a": [["<f8", [2], 0, 8]]}, bytes(16), "announces 8 bytes"),
    ({"v": {"a": 0}, "a": [["<f8", [4], 0, 32]]}, bytes(16), "16-byte payload"),
    ({"v": {"a": 0}, "a": [["<f8", [2000], 0, 16000]]}, bytes(16000), "exceeds the cap"),
    ({"v": {"a": 0}, "a": [["<f8", [-1], 0, -8]]}, b"", "non-negative"),
    ({"v": {"a": 0}, "a": [["<f8", [True], 0, 8]]}, bytes(8), "non-negative"),
    ({"v": {"l": [{"a": 0}, {"a": 0}]}, "a": [["<f8", [1], 0, 8]]}, bytes(8), "used twice"),
    ({"v": {"l": [{"a": 0}, {"a": 1}]}, "a": [["<f8", [1], 0, 8], ["<f8", [1], 0, 8]]},
     bytes(8), "non-overlapping"),
    ({"v": {"a": 3}, "a": []}, b"", "unknown"),
    ({"v": {"pickle": "gASV"}, "a": []}, b"", "unexpected JSON node"),
    ({"v": {"dt": "O", "cls": False}, "a": []}, b"", "not accepted"),
    ({"v": {"dt": "f8,O", "cls": False}, "a": []}, b"", "not accepted"),
    ({"v": 1}, b"", "keys 'v' and 'a'"),
    ({"v": {"s": 0}, "a": [["<f8", [2], 0, 16]]}, bytes(16), "scalar reference"),
])
def test_rejects_forged_messages(header, payload, reason):
    with pytest.raises(protocol.ProtocolError, match=reason):
        forged(header, payload)


def test_rejects_bad_framing():
    good = bytearray().join(protocol.dumps([np.zeros(3)], RESULT_CAPS))
    with pytest.raises(protocol.ProtocolError, match="does not start with"):
        protocol.loads([b"XXXX", good[4:]], RESULT_CAPS)
    with pytest.raises(protocol.ProtocolError, match="5 bytes follow"):
        protocol.loads([good, b"extra"], RESULT_CAPS)
    with pytest.raises(protocol.ProtocolError, match="stream ended"):
        protocol.loads([good[:-1]], RESULT_CAPS)
    with pytest.raises(protocol.ProtocolError, match="exceeds the cap"):
        huge = protocol.PREAMBLE.pack(protocol.MAGIC, 10, 1 << 40)
        protocol.parse_preamble(huge, RESULT_CAPS)
    with pytest.raises(protocol.ProtocolError, match="not valid JSON"):
        text = b"{not json"
        protocol.loads([protocol.PREAMBLE.pack(protocol.MAGIC, len(text), 0), text], RESULT_CAPS)


def test_stream_reader_reports_truncation(tmp_path):
    message = bytearray().join(protocol.dumps({"k": np.ones(5)}, CAPS))
    path = tmp_path / "message"
    path.write_bytes(bytes(message) + bytes(message[:20]))
    with open(path, "rb", buffering=0) as stream:
        first = protocol.read_message(stream, CAPS)
        np.testing.assert_array_equal(first["k"], np.ones(5))
        with pytest.raises(protocol.ProtocolError, match="stream ended"):
            protocol.read_message(stream, CAPS)
    path.write_bytes(b"")
    with open(path, "rb", buffering=0) as stream:
        assert protocol.read_message(stream, CAPS) is None
