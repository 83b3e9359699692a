"""Stock: levels by warehouse, availability, reservations, the movement ledger and stock reports."""
