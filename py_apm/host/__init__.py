"""CPython-only tooling: server, CLI, runner, bench, snapshot, browser finding. Never bundled."""
