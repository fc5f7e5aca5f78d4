"""Lab Workbench framework."""
