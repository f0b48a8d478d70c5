"""The `partnerwatch` command line: starts workflows, talks to them, and shows the store."""
