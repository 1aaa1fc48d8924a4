"""The live Playground: the app, its server, and attacks on them."""
