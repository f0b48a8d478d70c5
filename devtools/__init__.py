"""Development only, never shipped: what the tests and the benchmarks start beside partnerwatch.
(The demo, the simulated site and the benchmarks have folders of their own: demo/, pinterest_sim/,
bench/.)"""
