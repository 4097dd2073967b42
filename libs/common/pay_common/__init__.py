"""pay_common: infrastructure shared by the Pay services.

It never imports from a service. Sub-modules: ``settings``, ``logging``, ``errors``,
``ids``, ``asgi``, ``json_input``, ``http``, ``db``, ``embedded``, ``testing``.
"""

from pay_common.asgi import MaxBodySizeMiddleware, RequestIdMiddleware
from pay_common.errors import AppError, install_error_handlers
from pay_common.http import make_async_client
from pay_common.ids import new_external_id, new_uuid, new_uuid_hex
from pay_common.logging import configure_logging, get_logger
from pay_common.settings import BaseServiceSettings

__all__ = [
    "AppError",
    "BaseServiceSettings",
    "MaxBodySizeMiddleware",
    "RequestIdMiddleware",
    "configure_logging",
    "get_logger",
    "install_error_handlers",
    "make_async_client",
    "new_external_id",
    "new_uuid",
    "new_uuid_hex",
]
