"""People: persons, their identities in work data, teams and roles (later: profiles, 360, duos)."""
