"""The brief: one self-contained offline HTML file for a team's leader–manager pair.

A surface, like the CLI and the web: ``build.py`` gathers one answer per section from the
services (why: :mod:`.why`, the slot the goals, stories and recognition services fill; how:
:mod:`.how`; people: :mod:`.people`), ``render.py`` turns it into one HTML file (inline CSS and
SVG charts, no script, no request; a printable A4 layout). ``tandem brief`` and
``GET /why/brief`` call them.
"""
