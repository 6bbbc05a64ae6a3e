"""The allocation optimiser (issue 13, item 5): who could work on what, and why.

- :mod:`.schemas`: the plan (people, projects, settings) and the recommendation;
- :mod:`.plan`: reading and checking a plan file or body, errors naming the field path;
- :mod:`.model`: the CP-SAT model (integer FTE steps, WIP limits, staff bounds);
- :mod:`.explain`: reasons per assignment and per uncovered demand, the load view;
- :mod:`.service`: run, what-if and its diff, matching refs to workspace people, the audit;
- :mod:`.export`: CSV.

The plan comes from a file or a JSON body; storing skills and projects in the app database is
a later increment. The answer is a recommendation: a person decides.
"""
