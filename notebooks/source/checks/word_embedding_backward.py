def check_word_embedding_backward(word_embedding_forward, word_embedding_backward):
    """The gradient of the word vectors against centred differences; words repeat in x."""
    rng = np.random.default_rng(3)
    N, T, V, D = 4, 6, 5, 3
    x = rng.integers(V, size=(N, T))
    W = rng.standard_normal((V, D))
    out, cache = word_embedding_forward(x, W)
    dout = rng.standard_normal(out.shape)
    analytic = word_embedding_backward(dout.copy(), cache)
    numeric = numeric_gradients(lambda W: word_embedding_forward(x, W)[0], [W], dout)
    return gradient_errors(["W"], [analytic], numeric)
