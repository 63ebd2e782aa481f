"""booth: a Raspberry Pi photo booth that coaches walk-up subjects into a great headshot."""

__version__ = "0.1.0"
