def check_rnn_step_backward(rnn_step_forward, rnn_step_backward):
    """The gradients of one tanh step against centred differences, on random inputs."""
    rng = np.random.default_rng(1)
    N, D, H = 4, 5, 6
    inputs = [rng.standard_normal(shape) for shape in [(N, D), (N, H), (D, H), (H, H), (H,)]]
    next_h, cache = rnn_step_forward(*inputs)
    dnext_h = rng.standard_normal(next_h.shape)
    analytic = rnn_step_backward(dnext_h.copy(), cache)
    numeric = numeric_gradients(lambda *a: rnn_step_forward(*a)[0], inputs, dnext_h)
    return gradient_errors(["x", "prev_h", "Wx", "Wh", "b"], analytic, numeric)
