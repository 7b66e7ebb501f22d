"""Readers turn a submitted file (xlsx, CSV folder, zip of CSVs) into sheets of raw cell rows."""
