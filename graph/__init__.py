"""The crew's LangGraph: a supervisor routing to sixteen specialist agents."""
