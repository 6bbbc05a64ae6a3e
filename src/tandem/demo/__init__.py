"""The demo workspace, built from real public data that ships inside the package."""
