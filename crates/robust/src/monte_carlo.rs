//! Monte Carlo over the estimates' ranges (not built yet).
