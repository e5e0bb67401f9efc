"""The emulator itself: pure Python that runs under CPython and inside Pyodide.

Nothing in this package imports anything outside it.
"""
