def check_lstm_backward(lstm_forward, lstm_backward):
    """The gradients of an LSTM over a sequence against centred differences."""
    rng = np.random.default_rng(6)
    N, T, D, H = 2, 5, 3, 4
    shapes = [(N, T, D), (N, H), (D, 4 * H), (H, 4 * H), (4 * H,)]
    inputs = [rng.standard_normal(shape) for shape in shapes]
    h, cache = lstm_forward(*inputs)
    dh = rng.standard_normal(h.shape)
    analytic = lstm_backward(dh.copy(), cache)
    numeric = numeric_gradients(lambda *a: lstm_forward(*a)[0], inputs, dh)
    return gradient_errors(["x", "h0", "Wx", "Wh", "b"], analytic, numeric)
