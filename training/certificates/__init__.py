"""Certificates of the course: issued when an enrolment completes (a PDF with a QR code, and the same achievement as
an Open Badges 3.0 credential), verified in public by their code, revocable through a Bitstring Status List.

Its own app (label `certificates`): the course engine knows nothing of it, and calls it only through the hooks of
`training.completion`, which `CertificatesConfig.ready` registers.
"""
