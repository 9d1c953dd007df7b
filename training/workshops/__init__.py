"""One-on-one workshops and small clinics with facilitators (issue 13): facilitators publish availability in their
own zone, institutions book within their round's quota, and every booking, change and cancellation reaches both
calendars as an iCalendar invitation with a stable UID and a rising SEQUENCE."""
