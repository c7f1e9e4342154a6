"""Features: what the user asked for, as functions over data. No printing, no clock reading."""
