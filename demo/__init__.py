"""The demo: embedded services (Temporal dev server, simulated site, worker) and a walk through
onboarding with the partnerwatch CLI."""
