"""Recognition: kudos, achievements from data, nudges and the wins digest."""
