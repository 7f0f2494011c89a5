"""naql (نقل): relay the world's news into Arabic."""

__version__ = "0.1.0"
__all__ = ["__version__"]
