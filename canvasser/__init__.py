"""canvasser: offline canvassing for the resident medical-insurance enrollment drive."""

__version__ = "0.1.0"
