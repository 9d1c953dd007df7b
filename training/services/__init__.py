"""Writes of the training app, one module per workflow: content (loading, revisions), enrolment, progress
(lessons, quizzes, completion), reminders and learner data. Callers import the module they need:
`from training.services import progress` and `progress.attempt_submit(...)`."""
