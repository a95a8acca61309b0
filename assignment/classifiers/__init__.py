"""Models built from the layers of the assignment."""
