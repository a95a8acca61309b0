"""A correct submission written the way students write it in the course notebooks.

Unused plotting imports at the top, absolute imports of the course package name
(``from cs231n.layers import *``) in both files, ``is`` comparisons of strings, classic
loop implementations that update their inputs in place (``dh[:, t] += dprev``,
``dnext_c += ...``). Graded, it must earn what the reference earns.
"""

import textwrap

from support.submissions import REFERENCE

# Put at the top of rnn_layers.py.
LAYERS_HEADER = textwrap.dedent('''\
    import matplotlib.pyplot as plt
    import numpy as np
    from cs231n.layers import *
''')

# Appended to the reference's rnn_layers.py: each definition replaces the reference's.
CLASSIC_LAYERS = textwrap.dedent('''

    def rnn_step_forward(x, prev_h, Wx, Wh, b, use_tanh=True):
        a = x.dot(Wx) + prev_h.dot(Wh) + b
        next_h = np.tanh(a) if use_tanh else sigmoid(a)
        cache = (x, prev_h, Wx, Wh, next_h)
        return next_h, cache


    def rnn_step_backward(dnext_h, cache, use_tanh=True):
        x, prev_h, Wx, Wh, next_h = cache
        if use_tanh:
            da = dnext_h * (1 - next_h ** 2)
        else:
            da = dnext_h * next_h * (1 - next_h)
        return da.dot(Wx.T), da.dot(Wh.T), x.T.dot(da), prev_h.T.dot(da), da.sum(axis=0)


    def rnn_forward(x, h0, Wx, Wh, b, use_tanh=True):
        N, T, D = x.shape
        h = np.zeros((N, T, h0.shape[1]), dtype=x.dtype)
        cache = []
        prev_h = h0
        for t in range(T):
            prev_h, step_cache = rnn_step_forward(x[:, t, :], prev_h, Wx, Wh, b, use_tanh)
            h[:, t, :] = prev_h
            cache.append(step_cache)
        return h, cache


    def rnn_backward(dh, cache, use_tanh=True):
        N, T, H = dh.shape
        D = cache[0][0].shape[1]
        dx = np.zeros((N, T, D), dtype=dh.dtype)
        dWx = np.zeros((D, H), dtype=dh.dtype)
        dWh = np.zeros((H, H), dtype=dh.dtype)
        db = np.zeros(H, dtype=dh.dtype)
        dprev = np.zeros((N, H), dtype=dh.dtype)
        for t in reversed(range(T)):
            dh[:, t] += dprev
            dx[:, t], dprev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t], cache[t], use_tanh)
            dWx += dWx_t
            dWh += dWh_t
            db += db_t
        return dx, dprev, dWx, dWh, db


    def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
        H = prev_h.shape[1]
        a = x.dot(Wx) + prev_h.dot(Wh) + b
        i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
        g = np.tanh(a[:, 3 * H:])
        next_c = f * prev_c + i * g
        next_h = o * np.tanh(next_c)
        return next_h, next_c, (x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c)


    def lstm_step_backward(dnext_h, dnext_c, cache):
        x, prev_h, prev_c, Wx, Wh, i, f, o, g, next_c = cache
        tanh_c = np.tanh(next_c)
        dnext_c += dnext_h * o * (1 - tanh_c ** 2)
        da = np.hstack((dnext_c * g * i * (1 - i), dnext_c * prev_c * f * (1 - f),
                        dnext_h * tanh_c * o * (1 - o), dnext_c * i * (1 - g ** 2)))
        return (da.dot(Wx.T), da.dot(Wh.T), dnext_c * f, x.T.dot(da), prev_h.T.dot(da),
                da.sum(axis=0))
''')

# Lines of CLASSIC_LAYERS before which a careful student copies the gradient updated in place.
COPY_FIRST = {"    N, T, H = dh.shape\n": "    dh = dh.copy()\n",
              "    tanh_c = np.tanh(next_c)\n": "    dnext_c = dnext_c.copy()\n"}

MODEL_HEADER = textwrap.dedent('''\
    import matplotlib.pyplot as plt
    import numpy as np

    import cs231n.layers as layers
    from cs231n.layers import *
    from cs231n.rnn_layers import *
''')


def _model_source():
    """The reference model with absolute imports and ``is`` string comparisons."""
    source = REFERENCE["classifiers/rnn.py"].decode()
    start = source.index("import numpy as np")
    end = source.index(")\n", source.index("from ..rnn_layers import")) + 2
    body = source[:start] + MODEL_HEADER + source[end:]
    assert 'self.cell_type == "rnn"' in body, "the reference model changed: update this helper"
    body = body.replace('self.cell_type == "rnn"', "self.cell_type is 'rnn'")
    return body.replace("affine_forward(", "layers.affine_forward(", 1)


def student_files(in_place=True):
    """``{relative name: bytes}`` of the student-style submission.

    Parameters
    ----------
    in_place : bool
        False: the backward passes copy the upstream gradient they update first.
    """
    layers = REFERENCE["rnn_layers.py"].decode()
    start = layers.index("import numpy as np\n")
    layers = (layers[:start] + LAYERS_HEADER + layers[start + len("import numpy as np\n"):]
              + CLASSIC_LAYERS)
    for line, copy in COPY_FIRST.items():
        assert layers.count(line) == 1
        layers = layers if in_place else layers.replace(line, copy + line)
    return {"rnn_layers.py": layers.encode(), "classifiers/rnn.py": _model_source().encode()}
