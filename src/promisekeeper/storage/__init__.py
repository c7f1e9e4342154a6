"""The store on disk: lock, atomic writes, schema, journal, prompt index, archive, doctor."""
