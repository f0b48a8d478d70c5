"""Sending alerts: Standard Webhooks, Slack incoming webhooks and SMTP. Each sender makes one attempt
and says how it went; retrying, logging and deciding are the delivery workflow's and the store's."""
