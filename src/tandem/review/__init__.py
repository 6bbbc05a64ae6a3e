"""360 reviews: the item bank, cycles, rater assignments and responses."""
