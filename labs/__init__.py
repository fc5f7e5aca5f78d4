"""The labs shipped with Lab Workbench."""
