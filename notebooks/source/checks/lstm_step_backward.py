def check_lstm_step_backward(lstm_step_forward, lstm_step_backward):
    """The gradients of one LSTM step against centred differences, on random inputs."""
    rng = np.random.default_rng(5)
    N, D, H = 4, 5, 6
    shapes = [(N, D), (N, H), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]
    inputs = [rng.standard_normal(shape) for shape in shapes]
    next_h, next_c, cache = lstm_step_forward(*inputs)
    dnext_h = rng.standard_normal(next_h.shape)
    dnext_c = rng.standard_normal(next_c.shape)
    analytic = lstm_step_backward(dnext_h.copy(), dnext_c.copy(), cache)
    # The loss reaches the inputs through both outputs: add the two contributions.
    through_h = numeric_gradients(lambda *a: lstm_step_forward(*a)[0], inputs, dnext_h)
    through_c = numeric_gradients(lambda *a: lstm_step_forward(*a)[1], inputs, dnext_c)
    numeric = [a + b for a, b in zip(through_h, through_c)]
    return gradient_errors(["x", "prev_h", "prev_c", "Wx", "Wh", "b"], analytic, numeric)
