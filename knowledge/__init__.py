"""Knowledge base: offline embeddings, Chroma store, chunking, the policy corpus and extractive answers."""
