"""Vision and goals: key results bound to metric contracts, progress from the lake, check-ins."""
