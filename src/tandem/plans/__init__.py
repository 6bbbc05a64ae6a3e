"""Development plans: the action library, the plan builder and recorded progress."""
