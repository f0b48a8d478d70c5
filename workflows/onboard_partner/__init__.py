"""OnboardPartner: the workflow (workflow.py) and what crosses its boundaries (payloads.py)."""
