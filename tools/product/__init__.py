"""The catalogue: products, variants, categories, search and catalogue analytics."""
