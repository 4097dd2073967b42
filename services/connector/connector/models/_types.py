"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String, func
from sqlalchemy.orm import MappedColumn, mapped_column

#: Surrogate primary key.
BigIntPK = Annotated[int, mapped_column(BigInteger, primary_key=True, autoincrement=True)]
#: A timezone-aware timestamp set by the database when the row is inserted.
CreatedAt = Annotated[
    datetime, mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
]
#: Optimistic-lock counter, as in the original schema.
Version = Annotated[int, mapped_column(BigInteger, nullable=False, server_default="0")]
#: The 26-character public id of a row (a ULID), unique.
ExternalId = Annotated[str, mapped_column(String(26), unique=True, nullable=False)]
#: A setting that is off unless turned on.
OffByDefault = Annotated[bool, mapped_column(Boolean, nullable=False, server_default="false")]
#: An amount in minor units that is zero unless set.
ZeroByDefault = Annotated[int, mapped_column(BigInteger, nullable=False, server_default="0")]


def owner_id(target: str) -> MappedColumn[Any]:
    """The indexed, required id of the row that owns this one (``target``, as ``"table.id"``).

    Deleting the owner deletes this row.
    """
    return mapped_column(BigInteger, ForeignKey(target, ondelete="CASCADE"), nullable=False, index=True)
