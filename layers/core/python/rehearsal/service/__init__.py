"""Entry-point wiring: the HTTP API's helpers, the Lambda handlers' shared wiring, scheduled drift checks."""
