"""The crew graph for LangGraph's own tooling (`langgraph.json`); the platform supplies the checkpointer.

Runs must pass a ShopContext (principal and sessions) as the run context, as `graph.crew.Crew` does.
"""

from graph.build import build_graph
from graph.models import make_chat_model
from shopcrew.settings import get_settings
from tools.registry import load_all

load_all()
graph = build_graph(make_chat_model(get_settings()))
