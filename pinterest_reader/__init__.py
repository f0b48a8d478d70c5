"""A client for the Pinterest Business web UI written only from the contract
(../shared/contracts/pinterest-business-site.md). It relies on what the contract promises: roles,
accessible names and labels. A Members page is read in one `evaluate` that finds the table, its
column headers and its rows by those same roles and names (the fast path); where that script finds
anything it does not expect, the page is read again through Playwright's role and label locators."""
