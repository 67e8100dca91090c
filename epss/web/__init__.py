"""Web plumbing shared by the API, the pages and the overlay: the request's session and
services, error answers, security headers, CORS, HEAD requests, and serving processes.
The domain never imports from here (tests/test_layers.py)."""
