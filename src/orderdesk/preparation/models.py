"""Models of the preparation app."""
