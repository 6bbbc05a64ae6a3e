"""Sources: one package per kind of work data, each turning it into lake rows."""
