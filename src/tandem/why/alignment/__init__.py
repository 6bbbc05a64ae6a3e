"""Alignment: work linked to goals by rules and suggestions; the investment balance."""
