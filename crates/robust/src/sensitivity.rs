//! The exact values at which verdicts flip (not built yet).
