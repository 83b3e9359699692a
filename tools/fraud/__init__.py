"""Fraud screening: order scoring by the shop's rules, fraud checks and the blocklist."""
