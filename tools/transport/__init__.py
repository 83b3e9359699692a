"""Transport: carriers and their rate tables, quotes, carrier selection, shipments and tracking."""
