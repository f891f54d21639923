def register() -> None:
    """Placeholder until the interactions resource lands."""
