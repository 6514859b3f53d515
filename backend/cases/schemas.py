"""What cases offers other domains besides its service and query functions: the timeline event
kinds they add through ``cases.service.add_event``."""

from __future__ import annotations

SCAN_ATTACHED = "scan_attached"  # the scan, with a client (backend/scan/with_client.py)
