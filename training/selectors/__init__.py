"""Reads of the training app: `learner` (a learner's own course), `cohort` (the progress table and item analysis
for those who run a cohort, scoped to an institution or explicitly regional) and `learner_data` (the download)."""
