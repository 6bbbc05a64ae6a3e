"""Duos: complementary leader–manager pairs, suggested by matching and confirmed by a human."""
