"""ASGI entry point for uvicorn: ``uvicorn connector.main:app``."""

from connector.app import create_app

app = create_app()
