"""What a value may hold beyond a regular expression: CVR numbers and names. Leaves: they import no other
part of the service, so fields, adapters and services alike can use them."""
