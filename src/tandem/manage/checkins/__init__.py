"""Performance check-ins: key-result progress, feedback and 1:1 cadence in one view."""
