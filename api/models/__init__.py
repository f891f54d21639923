from .keys import ApiKey

__all__ = ["ApiKey"]
