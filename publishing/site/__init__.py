"""Static leadership performance site (`reports/kinerja/`), built from the published marts."""
