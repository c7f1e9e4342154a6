"""Rendering: tables, plain text, Markdown, the --json contract, messages to colleagues."""
