"""Knowledge base tools: articles, semantic search and answers with citations."""
