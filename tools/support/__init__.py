"""Support cases: a person takes over what the crew cannot settle (escalation to a human)."""
