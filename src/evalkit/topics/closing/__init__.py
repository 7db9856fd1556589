"""Three-year closing review (三年总结评估, the plan's last year): cumulative targets and changes."""
