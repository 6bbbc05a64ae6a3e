"""The leader–manager profile: 360 scoring, reliability and SYNTHETIC data with known truth.

Pure numpy, no database: :mod:`.scoring` (profile per ratee, DESIGN §6), :mod:`.cohort` (the
cycle's SDs and reliabilities), :mod:`.reliability` (α, ω, item–total r), :mod:`.synthetic`.
"""
