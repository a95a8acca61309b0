def check_lstm_step_forward(lstm_step_forward):
    """One LSTM step on fixed inputs, compared with published values."""
    N, D, H = 3, 4, 5
    x = np.linspace(-0.4, 1.2, num=N * D).reshape(N, D)
    prev_h = np.linspace(-0.3, 0.7, num=N * H).reshape(N, H)
    prev_c = np.linspace(-0.4, 0.9, num=N * H).reshape(N, H)
    Wx = np.linspace(-2.1, 1.3, num=4 * D * H).reshape(D, 4 * H)
    Wh = np.linspace(-0.7, 2.2, num=4 * H * H).reshape(H, 4 * H)
    b = np.linspace(0.3, 0.7, num=4 * H)
    next_h, next_c, _ = lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)
    expected_h = np.array([
        [0.24635157, 0.28610883, 0.32240467, 0.35525807, 0.38474904],
        [0.49223563, 0.55611431, 0.61507696, 0.66844003, 0.71591810],
        [0.56735664, 0.66310127, 0.74419266, 0.80889665, 0.85829900]])
    expected_c = np.array([
        [0.32986176, 0.39145139, 0.45155600, 0.51014116, 0.56717407],
        [0.66382255, 0.76674007, 0.87195994, 0.97902709, 1.08751345],
        [0.74192008, 0.90592151, 1.07717006, 1.25120233, 1.42395676]])
    return {"next_h relative error": (rel_error(next_h, expected_h), VALUE_LIMIT),
            "next_c relative error": (rel_error(next_c, expected_c), VALUE_LIMIT)}
