"""Who the caller is, and the demo personas a visitor may try the shop as."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from api.auth import PrincipalDep
from api.errors import error_responses
from db.enums import Role
from tools.principals import demo_personas


class MeOut(BaseModel):
    principal: str = Field(description="customer:<email> or staff:<username>.")
    role: Role = Field(description="customer, support, warehouse, merchant or admin.")


class PersonaOut(BaseModel):
    principal: str = Field(description="customer:<email> or staff:<username>.")
    name: str = Field(description="The person's name.")
    role: Role = Field(description="Their role.")
    key: str = Field(description="Their demo API key (public: docs/demo-data.md prints it).")


class PersonasOut(BaseModel):
    demo: bool = Field(description="True when this shop was seeded as the demo; otherwise no persona is listed.")
    personas: list[PersonaOut] = Field(description="Who one may sign in as, customers first.")


router = APIRouter(tags=["identity"])


@router.get("/api/v1/me", response_model=MeOut, summary="The principal of your API key.",
            responses=error_responses(401))
async def me(principal: PrincipalDep) -> dict:
    return {"principal": principal.label, "role": principal.role}


@router.get("/api/v1/demo/personas", response_model=PersonasOut, summary="Demo principals and their public keys.")
async def personas(request: Request) -> dict:
    async with request.app.state.sessions() as session:
        found = await demo_personas(session)
    return {"demo": bool(found), "personas": found}
