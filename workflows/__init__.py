"""Workflows: orchestration only (deterministic, no I/O). Each has its own folder: the workflow
(workflow.py) and what crosses its boundaries (payloads.py), which activities and the CLI import."""
