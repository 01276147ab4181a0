"""The HTTP plumbing every route shares, one module per concern; the routes themselves are in
`chalicelib/api/routes/`."""
