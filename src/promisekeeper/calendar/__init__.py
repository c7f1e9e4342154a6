"""The user's calendars, read only: busy time from ICS files, vdirs, HTTP and CalDAV."""
