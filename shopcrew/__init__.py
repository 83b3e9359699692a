"""Shopcrew: settings and the command-line interface."""
