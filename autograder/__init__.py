"""Grading, building and checking the RNN / LSTM captioning assignment."""
