"""Values every layer may share, importing no other part of the service: what a CVR number and a name may
hold beyond a regular expression, and a page of a list as services answer it."""
