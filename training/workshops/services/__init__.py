"""Every write of workshops, one module per workflow: availability (the facilitator's), booking (book, reschedule,
cancel), and the notifications they send."""
