"""The crew watching itself: run records, alerts, health and audit trails."""
