"""Conflict cases: parties, a facilitator, positions and interests, facts, options, the
suggested and the chosen TKI-style mode, the interest-based checklist, agreement, follow-ups;
readable by the parties and the facilitator only (issue 13, item 4)."""
