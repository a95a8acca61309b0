def check_sigmoid_variant(rnn_step_forward, rnn_step_backward, rnn_forward, rnn_backward):
    """The vanilla RNN with use_tanh=False: values on fixed inputs, gradients on random ones."""
    N, T, D, H = 2, 3, 4, 3
    x = np.linspace(-1.0, 1.0, num=N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.5, 0.5, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.7, 0.9, num=D * H).reshape(D, H)
    Wh = np.linspace(0.6, -0.4, num=H * H).reshape(H, H)
    b = np.linspace(-0.3, 0.3, num=H)
    expected_h = np.array([
        [[0.42441531, 0.40176826, 0.37953282],
         [0.56775615, 0.52957300, 0.49104055],
         [0.57627380, 0.57633924, 0.57640468]],
        [[0.47766556, 0.54965789, 0.61962912],
         [0.52801803, 0.62477785, 0.71250186],
         [0.52052124, 0.65811331, 0.77340953]]])
    next_h, _ = rnn_step_forward(x[:, 0], h0, Wx, Wh, b, use_tanh=False)
    h, _ = rnn_forward(x, h0, Wx, Wh, b, use_tanh=False)
    results = {"next_h relative error": (rel_error(next_h, expected_h[:, 0]), VALUE_LIMIT),
               "h relative error": (rel_error(h, expected_h), VALUE_LIMIT)}

    rng = np.random.default_rng(8)
    step_inputs = [rng.standard_normal(shape) for shape in [(N, D), (N, H), (D, H), (H, H), (H,)]]
    next_h, cache = rnn_step_forward(*step_inputs, use_tanh=False)
    dnext_h = rng.standard_normal(next_h.shape)
    results.update(gradient_errors(
        ["x (one step)", "prev_h (one step)", "Wx (one step)", "Wh (one step)", "b (one step)"],
        rnn_step_backward(dnext_h.copy(), cache, use_tanh=False),
        numeric_gradients(lambda *a: rnn_step_forward(*a, use_tanh=False)[0], step_inputs,
                          dnext_h)))

    inputs = [rng.standard_normal(shape) for shape in [(N, T, D), (N, H), (D, H), (H, H), (H,)]]
    h, cache = rnn_forward(*inputs, use_tanh=False)
    dh = rng.standard_normal(h.shape)
    results.update(gradient_errors(
        ["x", "h0", "Wx", "Wh", "b"], rnn_backward(dh.copy(), cache, use_tanh=False),
        numeric_gradients(lambda *a: rnn_forward(*a, use_tanh=False)[0], inputs, dh)))
    return results
