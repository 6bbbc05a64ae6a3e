"""The ``tandem`` command line: one thin Typer sub-app per domain over the services."""
