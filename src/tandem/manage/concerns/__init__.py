"""Concerns and questions: raised by a team's members (optionally anonymous), answered by its
managers; time to first answer and the aging of open items (issue 13, item 3)."""
