def check_word_embedding_forward(word_embedding_forward):
    """Looking up two sentences of four words in a table of five 3-d word vectors."""
    W = np.linspace(0, 1, num=15).reshape(5, 3)
    x = np.array([[0, 3, 1, 2], [2, 1, 0, 3]])
    out, _ = word_embedding_forward(x, W)
    expected = np.array([
        [[0, 1, 2], [9, 10, 11], [3, 4, 5], [6, 7, 8]],
        [[6, 7, 8], [3, 4, 5], [0, 1, 2], [9, 10, 11]]]) / 14
    return {"out relative error": (rel_error(out, expected), VALUE_LIMIT)}
