"""Both ends of the JS <-> Python wire's Python side: the wire rules and the Pyodide glue."""
