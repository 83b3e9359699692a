"""Payments through the sandbox test gateway: methods, authorize, capture, sale, void, refund."""
