def check_lstm_forward(lstm_forward):
    """An LSTM over three steps on fixed inputs, compared with published values."""
    N, T, D, H = 2, 3, 5, 4
    x = np.linspace(-0.4, 0.6, num=N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.4, 0.8, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.2, 0.9, num=4 * D * H).reshape(D, 4 * H)
    Wh = np.linspace(-0.3, 0.6, num=4 * H * H).reshape(H, 4 * H)
    b = np.linspace(0.2, 0.7, num=4 * H)
    h, _ = lstm_forward(x, h0, Wx, Wh, b)
    expected = np.array([
        [[0.01764008, 0.01823233, 0.01882671, 0.01942320],
         [0.11287491, 0.12146228, 0.13018446, 0.13902939],
         [0.31358768, 0.33338627, 0.35304453, 0.37250975]],
        [[0.45767879, 0.47610920, 0.49368870, 0.51041945],
         [0.67048450, 0.69350089, 0.71486014, 0.73464490],
         [0.81733511, 0.83677871, 0.85403753, 0.86935314]]])
    return {"h relative error": (rel_error(h, expected), VALUE_LIMIT)}
