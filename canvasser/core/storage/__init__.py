"""The workspace file: events, the fold into projections, keys at rest, backups, conversion, where files live."""
