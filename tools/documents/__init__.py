"""Documents: invoices and credit notes with gapless numbers, packing slips, shipping labels."""
