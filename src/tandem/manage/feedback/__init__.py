"""Feedback: situation–behaviour–impact with intent, its lint, who may read it, its cadence."""
