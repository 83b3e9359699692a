"""The crew: one spec per specialist agent, and the roster of all sixteen."""
