"""Bringing data in (use cases beside commands.py): spreadsheets of reports and the police's published events."""
