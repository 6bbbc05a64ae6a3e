"""Embracing change: experiments and the change radar from repository manifests."""
