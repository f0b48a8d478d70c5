"""A simulated Pinterest Business web UI that follows ../shared/contracts/pinterest-business-site.md."""
