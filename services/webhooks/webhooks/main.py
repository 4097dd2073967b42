"""ASGI entry point for uvicorn: ``uvicorn webhooks.main:app``."""

from webhooks.app import create_app

app = create_app()
