"""Privacy in the supplier chain. The transfer-assessment engine is mps.privacy.rules (no Django)."""
