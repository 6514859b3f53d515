"""Privacy (AVG/GDPR): retention, export of what Loket holds about a person, and erasure.

See ``docs/privacy.md`` for the register of processing activities and the retention periods.
"""
