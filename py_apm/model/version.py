"""py-apm's version, kept in the model so the model imports nothing outside itself."""

__version__ = "0.1.0"
