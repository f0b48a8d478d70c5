"""ReviewPartnerAccess: an access review campaign (workflow.py) and what crosses its boundaries (payloads.py)."""
