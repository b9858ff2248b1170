"""graphbuild as a networkx backend: `nx.pagerank(G, backend="graphbuild")`.

networkx finds it through the entry points in pyproject.toml: `networkx.backend_info` names
info.get_info (read when networkx is imported, so it imports nothing heavy) and
`networkx.backends` names interface.backend, loaded on the first dispatched call.
"""
