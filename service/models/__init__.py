"""Models of the service app (built in its own issue)."""
