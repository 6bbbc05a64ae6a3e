"""The audit log: who read whose report and who changed what, append-only (DESIGN §7)."""
