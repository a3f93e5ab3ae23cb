"""tmtui: a terminal trace debugger, scorer and human-baseline tool for TMBench."""

__version__ = "0.1.0"
