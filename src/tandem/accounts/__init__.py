"""Accounts: web users, argon2 passwords, server-side sessions and login throttling."""
