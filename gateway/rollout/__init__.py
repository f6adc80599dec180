"""Canary rollouts: the canary's flags, sticky buckets, rollback rules, and the rollbacks every worker follows."""
