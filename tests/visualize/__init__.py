"""Pictures: graphs, the backward player, plots."""
