"""Cloud cost overview on FOCUS billing data. The billing engine is mps.costs.engine (no Django)."""
