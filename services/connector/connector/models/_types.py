"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from sqlalchemy import BigInteger, DateTime, func
from sqlalchemy.orm import mapped_column

#: Surrogate primary key.
BigIntPK = Annotated[int, mapped_column(BigInteger, primary_key=True, autoincrement=True)]
#: A timezone-aware timestamp set by the database when the row is inserted.
CreatedAt = Annotated[
    datetime, mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
]
#: Optimistic-lock counter, as in the original schema.
Version = Annotated[int, mapped_column(BigInteger, nullable=False, server_default="0")]
