"""Mapping promises to and from other formats: JSON, CSV, iCalendar, other trackers."""
