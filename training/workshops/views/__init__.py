"""Workshop pages, one module per side: the institution's (choose a slot, book, reschedule, cancel) and the
facilitator's (availability, every institution's bookings)."""
