def check_sample_rnn(CaptioningRNN):
    """Greedy captions of a small float64 RNN model with fixed parameters, compared with known ones."""
    word_to_idx = {"<NULL>": 0, "<START>": 1, "<END>": 2, "a": 3, "cat": 4, "dog": 5, "on": 6,
                   "sofa": 7}
    # Parameters from an evenly spread, non-repeating sequence in [-1, 1).
    model = fixed_model(CaptioningRNN, word_to_idx, "rnn", 6, 5, 10,
                        lambda size: 2 * ((0.618034 * np.arange(size)) % 1 - 0.5))
    features = np.linspace(-1, 1, num=3 * 6).reshape(3, 6)
    captions = model.sample(features, max_length=8)
    expected = np.array([[5, 3, 1, 3, 3, 4, 1, 3],
                         [1, 7, 7, 1, 4, 4, 4, 4],
                         [1, 3, 1, 1, 7, 7, 7, 4]])
    mismatches = caption_mismatches(captions, expected, word_to_idx["<END>"])
    return {"words that differ from the expected captions": (mismatches, 0)}
