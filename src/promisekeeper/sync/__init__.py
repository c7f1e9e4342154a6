"""Two-way sync of promises with a CalDAV collection or a vdir folder."""
