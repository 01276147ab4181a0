"""What onboarding tells a person about a company or a code it refuses, in Danish and in English.

An application and an administrator adding a company ask the company register the same questions, and both
check a code from a letter, so they say the same words; each says what to do.
"""

from __future__ import annotations

NOT_IN_REGISTER = {
    "en": "The company register has no company with this CVR number.",
    "da": "Tjek CVR-nummeret: CVR-registret har intet selskab med det nummer.",
}
CEASED = {
    "en": "The company register lists this company as ceased.",
    "da": "Tjek CVR-nummeret: selskabet er ophørt ifølge CVR-registret.",
}
NO_OFFICIAL_MAILBOX = {
    "en": "The company register has no official mailbox on record for this company.",
    "da": "Selskabet har ingen officiel digital postkasse i CVR-registret, så brevet kan ikke nå frem. "
    "Få den "
    "registreret, og prøv så igen.",
}
WRONG_CODE = {
    "en": "Wrong code.",
    "da": "Koden er forkert. Tjek koden i brevet, og prøv igen.",
}
NOT_A_CODE = {
    "en": "12 letters and digits as in the letter, e.g. 7K2M-9XQ4-B8ND.",
    "da": "Skriv koden med de 12 bogstaver og cifre, som står i brevet, fx 7K2M-9XQ4-B8ND.",
}
