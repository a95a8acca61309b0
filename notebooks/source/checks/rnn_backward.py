def check_rnn_backward(rnn_forward, rnn_backward):
    """The gradients of a tanh RNN over a sequence against centred differences."""
    rng = np.random.default_rng(2)
    N, T, D, H = 2, 6, 3, 4
    inputs = [rng.standard_normal(shape) for shape in [(N, T, D), (N, H), (D, H), (H, H), (H,)]]
    h, cache = rnn_forward(*inputs)
    dh = rng.standard_normal(h.shape)
    analytic = rnn_backward(dh.copy(), cache)
    numeric = numeric_gradients(lambda *a: rnn_forward(*a)[0], inputs, dh)
    return gradient_errors(["x", "h0", "Wx", "Wh", "b"], analytic, numeric)
