import logging


class ScrubRequestFilter(logging.Filter):
    """Drop the request object from log records.

    Django attaches the request to error records; handlers and error reporters
    would then print client addresses, user agents and POST bodies. r2dr never
    logs those (defenders' safety), so the record keeps only the message.
    """

    def filter(self, record):
        if hasattr(record, "request"):
            record.request = None
        return True
