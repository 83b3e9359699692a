"""Quality control: inspections scored from their defects, product quality metrics, supplier ratings."""
