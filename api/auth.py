"""Bearer API keys on every route: the FastAPI dependency that yields the caller's principal."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tools.context import Principal
from tools.errors import Unauthorized
from tools.principals import principal_for_key

bearer = HTTPBearer(auto_error=False, description="An API key from `shopcrew seed` (see docs/demo-data.md).")


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """FastAPI dependency: the principal of the request's bearer key."""
    if credentials is None:
        raise Unauthorized("missing bearer API key (Authorization: Bearer <key>)")
    async with request.app.state.sessions() as session:
        return await principal_for_key(session, credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
