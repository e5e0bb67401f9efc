"""Tests of the tooling: server, bundle, browser finder, CLI, pytest plugin."""
