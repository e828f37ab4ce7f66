"""The local test internet: real servers on loopback addresses for tests, benchmarks and the demo."""
