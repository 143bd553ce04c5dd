"""Models of the production app."""
