"""The manager's toolkit (DESIGN §3, practices 7–10): the HOW of people, beside flow's HOW of work.

- :mod:`.feedback`: situation–behaviour–impact feedback, its lint and its cadence;
- :mod:`.one_on_ones`: 1:1s per pair: shared agenda with carry-over, actions, private notes;
- :mod:`.concerns`: concerns and questions raised by members, answered by managers;
- :mod:`.conflicts`: conflict cases, TKI-mode guidance and the interest-based checklist;
- :mod:`.checkins`: performance check-ins per person and team: key results, feedback and 1:1
  cadence in one view, ranking nobody;
- :mod:`.allocation`: the capacity and skills optimiser (OR-Tools CP-SAT) and the load view.

Each area keeps its records in the app database behind a service that enforces who may read
what (DESIGN §7); the web, the CLI and the brief only call those services.
"""
