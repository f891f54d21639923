"""Models of the marketing app (built in its own issue)."""
