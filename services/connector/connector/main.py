"""ASGI entry points for uvicorn: ``uvicorn connector.main:app`` (and ``connector.main:admin_app``)."""

from connector.app import create_app

app = create_app()
admin_app = create_app(admin=True)
