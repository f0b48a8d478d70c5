"""Temporal plumbing that the worker, the workflows, the activities and the CLI share: the
connection, the payload codec (and its server for the UI), workflow ids and search attributes,
timeouts and retry policies, the fault vocabulary, the heartbeater and the activities' log context.

It knows Temporal and the shapes of faults; it knows neither the store's tables nor the browser."""
