"""Journey step types: the registry (registry.py) and the built-in step types."""
