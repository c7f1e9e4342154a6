"""promisekeeper: keep the promises you make to your internal customers."""

__version__ = "0.1.0"
