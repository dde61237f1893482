"""The web face of a ledger: a REST API (JSON, OpenAPI) served by FastAPI and uvicorn."""
