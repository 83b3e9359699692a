"""Orders: placing, reading, status changes, notes, analytics and the retail benchmark's order writes."""
