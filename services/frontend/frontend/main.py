"""ASGI entry point for uvicorn: ``uvicorn frontend.main:app``."""

from frontend.app import create_app

app = create_app()
