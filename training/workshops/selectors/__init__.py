"""Reads of workshops: slots (computed from availability) and bookings (an institution's, or every institution's
for facilitators)."""
