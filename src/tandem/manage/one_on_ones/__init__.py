"""1:1s per manager–report pair: agenda with carry-over, actions, notes (private to their author),
cadence and the calendar export."""
