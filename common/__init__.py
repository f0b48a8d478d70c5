"""Leaves every layer may use: one shape or one rule each, said once (asset grants, Retry-After,
spreadsheet-safe CSV cells). Nothing here imports partnerwatch."""
