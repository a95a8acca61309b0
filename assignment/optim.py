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
    velocity = config.get("velocity", np.zeros_like(w))
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
    config.setdefault("cache", np.zeros_like(w))
    decay = config["decay_rate"]
    config["cache"] = decay * config["cache"] + (1 - decay) * dw * dw
    step = config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    return w - step, config


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
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    beta1, beta2 = config["beta1"], config["beta2"]
    config["t"] += 1
    config["m"] = beta1 * config["m"] + (1 - beta1) * dw
    config["v"] = beta2 * config["v"] + (1 - beta2) * dw * dw
    m_hat = config["m"] / (1 - beta1 ** config["t"])
    v_hat = config["v"] / (1 - beta2 ** config["t"])
    step = config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return w - step, config


UPDATE_RULES = {"sgd": sgd, "sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}
