"""Empowerment: the delegation board and ownership concentration from git."""
