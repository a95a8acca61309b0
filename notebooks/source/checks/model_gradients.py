def check_model_gradients_{{cell}}(CaptioningRNN):
    """Every parameter gradient of a small float64 {{Cell}} model against centred differences."""
    rng = np.random.default_rng(7)
    N, D, W, H, T = 2, 3, 4, 5, 6
    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, "cat": 3, "dog": 4}
    model = fixed_model(CaptioningRNN, word_to_idx, "{{cell}}", D, W, H,
                        lambda size: 0.5 * rng.standard_normal(size))
    features = rng.standard_normal((N, D))
    captions = rng.integers(len(word_to_idx), size=(N, T))
    _, grads = model.loss(features, captions)
    assert sorted(grads) == sorted(model.params), (
        f"grads has the keys {sorted(grads)}, expected {sorted(model.params)}")
    numeric = [eval_numerical_gradient(lambda _: model.loss(features, captions)[0],
                                       model.params[name], verbose=False)
               for name in model.params]
    return gradient_errors(list(model.params), [grads[name] for name in model.params], numeric)
