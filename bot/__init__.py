"""gridbot: turns residents' chat messages into cases that grid workers own until closed."""

__version__ = "0.1.0"
