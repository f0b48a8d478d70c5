"""A client for the Pinterest Business web UI written only from the contract
(../shared/contracts/pinterest-business-site.md): role and label locators, nothing else."""
