"""Analysis of result tables: intervals, comparisons, backtests, sensitivity."""
