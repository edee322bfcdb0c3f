"""reviewbot: review C patches the way a kernel maintainer reads them on a list."""

__version__ = "0.1.0"
