"""ASGI entry point for uvicorn: ``uvicorn publicapi.main:app``."""

from publicapi.app import create_app

app = create_app()
