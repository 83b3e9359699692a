"""Warehouses: sites, capacity, performance and pick lists."""
