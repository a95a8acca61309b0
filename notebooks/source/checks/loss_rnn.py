def check_loss_rnn(CaptioningRNN):
    """The loss of a small float64 RNN model with every parameter set by np.linspace."""
    N, D, W, H, T = 10, 20, 30, 40, 13
    word_to_idx = {"<NULL>": 0, "cat": 2, "dog": 3}
    model = fixed_model(CaptioningRNN, word_to_idx, "rnn", D, W, H,
                        lambda size: np.linspace(-1.4, 1.3, num=size))
    features = np.linspace(-1.5, 0.3, num=N * D).reshape(N, D)
    captions = (np.arange(N * T) % len(word_to_idx)).reshape(N, T)
    loss, _ = model.loss(features, captions)
    return {"loss relative error": (rel_error(loss, 9.83235591003), VALUE_LIMIT)}
