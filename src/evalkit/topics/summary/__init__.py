"""Executive summary (年度评估摘要, the year's home page): hard targets, headline scores, findings."""
