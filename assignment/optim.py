"""First-order update rules (provided to students).

Every rule has the signature ``rule(w, dw, config=None) -> (next_w, config)``:
``w`` and ``dw`` are arrays of one shape, ``config`` a dict of hyperparameters
and state (moving averages) that the solver passes back on the next call.
Updates keep the dtype of ``w``.
"""

import numpy as np


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: ``w -= learning_rate * dw``.

    config: ``learning_rate`` (default 1e-2).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: a velocity that is a running average of gradients.

    config: ``learning_rate`` (default 1e-2), ``momentum`` (default 0.9),
    ``velocity`` (state, same shape as w; starts at zero).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    velocity = config["velocity"] if "velocity" in config else np.zeros_like(w)
    velocity = config["momentum"] * velocity - config["learning_rate"] * dw
    config["velocity"] = velocity
    return w + velocity, config


def rmsprop(w, dw, config=None):
    """RMSProp: the step is divided by a running root mean square of gradients.

    config: ``learning_rate`` (default 1e-2), ``decay_rate`` (default 0.99),
    ``epsilon`` (default 1e-8), ``cache`` (state, same shape as w).
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    if "cache" not in config:
        config["cache"] = np.zeros_like(w)
    decay = config["decay_rate"]
    config["cache"] = decay * config["cache"] + (1 - decay) * dw * dw
    step = config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return w - step, config


# Adam goes through the arrays in blocks of this many elements, so that its
# dozen element-wise operations on a block run while the block is still in
# the CPU cache instead of streaming whole parameter arrays through memory a
# dozen times.
_ADAM_BLOCK = 1 << 15


def adam(w, dw, config=None):
    """Adam: running averages of the gradient and its square, bias-corrected.

    The step counter ``t`` is incremented before the bias correction, so the
    first update divides the averages by ``1 - beta ** 1``.

    config: ``learning_rate`` (default 1e-3), ``beta1`` (0.9), ``beta2``
    (0.999), ``epsilon`` (1e-8); state ``m``, ``v`` (same shape as w) and ``t``.
    """
    config = {} if config is None else config
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    for name in ("m", "v"):
        if name not in config:
            config[name] = np.zeros_like(w)
    config.setdefault("t", 0)
    config["t"] += 1
    beta1, beta2, t = float(config["beta1"]), float(config["beta2"]), config["t"]
    # lr * m_hat / (sqrt(v_hat) + eps) equals rate * m / (sqrt(v) + eps_t) with
    # the bias corrections folded into the scalars rate = lr * sqrt(1 - beta2^t)
    # / (1 - beta1^t) and eps_t = eps * sqrt(1 - beta2^t). Python floats keep
    # float32 arrays float32.
    root = (1 - beta2**t) ** 0.5
    rate = float(config["learning_rate"]) * root / (1 - beta1**t)
    eps_t = float(config["epsilon"]) * root
    dtype = np.result_type(w, dw, config["m"], config["v"])
    # New arrays for m, v and next_w: the old ones may belong to the caller.
    m, v, next_w = (np.empty(w.shape, dtype=dtype) for _ in range(3))
    flat = [np.ravel(a) for a in (w, dw, config["m"], config["v"], m, v, next_w)]
    scratch = np.empty(min(_ADAM_BLOCK, w.size), dtype=dtype)
    for start in range(0, w.size, _ADAM_BLOCK):
        w_b, dw_b, m_old, v_old, m_b, v_b, next_b = (a[start : start + _ADAM_BLOCK] for a in flat)
        s = scratch[: w_b.size]
        np.multiply(m_old, beta1, out=m_b)  # m = beta1 m + (1 - beta1) dw
        m_b += np.multiply(dw_b, 1 - beta1, out=s)
        np.multiply(v_old, beta2, out=v_b)  # v = beta2 v + (1 - beta2) dw^2
        np.multiply(dw_b, dw_b, out=s)
        s *= 1 - beta2
        v_b += s
        np.sqrt(v_b, out=s)  # next_w = w - rate m / (sqrt(v) + eps_t)
        s += eps_t
        np.divide(m_b, s, out=s)
        s *= rate
        np.subtract(w_b, s, out=next_b)
    config["m"], config["v"] = m, v
    return next_w, config


UPDATE_RULES = {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}
