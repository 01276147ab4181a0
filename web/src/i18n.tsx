// Danish by default, English on request. Every text a person reads is here, in both languages.
import { createContext, useContext } from "react";

export type Language = "da" | "en";

const da = {
  "app.name": "Godkend",
  "app.skip": "Gå til indhold",
  "lang.switch": "English",
  "lang.switchLabel": "Skift sprog til engelsk",
  "footer.contact": "Kontakt Godkend",
  "footer.email": "E-mail",
  "footer.phone": "Telefon",
  "footer.hours": "Åbent",
  "footer.about": "Om Godkend",
  "footer.accessibility": "Tilgængelighedserklæring",
  "footer.privacy": "Privatlivspolitik",
  "footer.cookies": "Cookies",
  "notfound.title": "Siden findes ikke",
  "notfound.text": "Der er ingen side på denne adresse. Måske er adressen stavet forkert, eller siden er flyttet.",
  "notfound.signIn": "Gå til Log ind",
  "notfound.account": "Gå til Min konto",
  "common.next": "Næste",
  "common.back": "Tilbage",
  "common.cancel": "Annuller",
  "common.save": "Gem",
  "common.close": "Luk",
  "common.loading": "Henter …",
  "common.none": "Ingen",
  "common.previousPage": "Forrige side",
  "common.nextPage": "Næste side",
  "common.actions": "Handlinger",
  "common.required": "skal udfyldes",
  "common.errorSummary": "Der er problemer",
  "common.networkError": "Godkend kunne ikke nås. Prøv igen om lidt.",
  "common.notFetched": "Denne del af siden kunne ikke hentes. Måske er Godkend blevet opdateret, eller forbindelsen er afbrudt.",
  "common.reload": "Genindlæs siden",
  "common.optional": "(valgfrit)",
  "users.empty": "Der er ingen selvbetjeningsbrugere endnu. Opret den første med »Opret selvbetjeningsbruger«.",
  "codes.emptyFiltered": "Der er ingen koder med denne status. Vælg »Alle« for at se alle koder.",
  "list.retry": "Prøv igen",
  "list.failedText": "Fejlen var hos Godkend, ikke hos dig. Prøv igen om lidt.",
  "list.failed": "Listen kunne ikke hentes.",
  "field.first_name": "Fornavn",
  "field.last_name": "Efternavn",
  "field.email": "E-mail",
  "field.mobile": "Mobilnummer",
  "field.mobileHint": "8 cifre, fx 22 33 44 55",
  "field.language": "Sprog for e-mails",
  "field.cvr": "CVR-nummer",
  "field.password": "Adgangskode",
  "field.passwordHint": "Mindst 12 tegn med både store og små bogstaver og mindst ét tal",
  "language.da": "Dansk",
  "language.en": "Engelsk",
  "signin.title": "Log ind",
  "signin.username": "Brugernavn",
  "signin.password": "Adgangskode",
  "signin.otp": "Engangskode",
  "signin.otpHint": "De 6 cifre, som din godkendelsesapp viser nu",
  "signin.submit": "Log ind",
  "signin.wrong": "Brugernavn eller adgangskode er forkert.",
  "signin.wrongOtp": "Engangskoden blev ikke godkendt. Prøv med den kode, appen viser nu.",
  "signin.expired": "Din session er udløbet. Log ind igen for at fortsætte; det, du har skrevet, er bevaret.",
  "signin.again": "Log ind igen med din nye godkendelsesapp.",
  "signin.apply": "Ansøg om adgang",
  "signin.activate": "Aktivér din konto med aktiveringskoden fra brevet",
  "signin.invitation": "Har du fået en invitation? Vælg din adgangskode",
  "signin.noAccess": "Har I ikke en selvbetjeningsbruger?",
  "signout": "Log ud",
  "signedInAs": "Logget ind som",
  "password.link": "Skift adgangskode",
  "password.title": "Skift adgangskode",
  "password.intro": "Når du har skiftet adgangskode, bliver du logget ud alle steder, også her. Log derefter ind igen med den nye adgangskode og engangskoden fra din godkendelsesapp.",
  "password.old": "Nuværende adgangskode",
  "password.new": "Ny adgangskode",
  "password.repeat": "Gentag ny adgangskode",
  "password.mismatch": "De to nye adgangskoder er ikke ens.",
  "password.submit": "Skift adgangskode",
  "password.back": "Tilbage",
  "password.tooMany": "Der har været for mange forsøg på at skifte adgangskode. Vent et minut, og prøv igen.",
  "password.changed": "Din adgangskode er skiftet, og du er logget ud alle steder. Log ind igen med din nye adgangskode.",
  "enrol.title": "Opsæt godkendelsesapp",
  "enrol.intro": "Du skal logge ind med to-faktor godkendelse. Scan QR-koden med en godkendelsesapp (fx Microsoft Authenticator eller Google Authenticator), og skriv den engangskode, appen viser.",
  "enrol.qr": "QR-kode til godkendelsesappen",
  "enrol.secret": "Kan du ikke scanne? Skriv denne nøgle i appen",
  "enrol.submit": "Bekræft",
  "enrol.done": "Godkendelsesappen er sat op.",
  "minkonto.title": "Min konto",
  "minkonto.tabs": "Min konto",
  "minkonto.notApproved": "Jeres organisation er endnu ikke godkendt. I kan oprette godkendelseskoder, når den er godkendt.",
  "tab.codes": "Godkendelseskode",
  "tab.users": "Selvbetjeningsbrugere",
  "tab.masterdata": "Stamdata",
  "tab.history": "Valideringshistorik",
  "tab.audit": "Log",
  "codes.title": "Godkendelseskoder",
  "codes.add": "Tilføj en ny kode",
  "codes.submit": "Tilføj ny kode",
  "codes.new": "Din nye godkendelseskode",
  "codes.renewed": "Godkendelseskoden er opdateret",
  "codes.copy": "Kopiér",
  "codes.copyCode": "Kopiér godkendelseskoden",
  "codes.copied": "Koden er kopieret.",
  "codes.copyFailed": "Koden kunne ikke kopieres; markér den og kopiér den selv.",
  "codes.company": "Selskab",
  "codes.account": "Kontonummer",
  "codes.language": "Sprog for e-mailen",
  "codes.notify": "Send koden til personen på e-mail",
  "codes.representative": "Repræsentant",
  "codes.code": "Kode",
  "codes.status": "Status",
  "codes.expires": "Udløber",
  "codes.filter": "Vis koder",
  "codes.filterAll": "Alle",
  "codes.renew": "Opdater",
  "codes.revoke": "Tilbagekald",
  "codes.revokeTitle": "Tilbagekald godkendelseskoden?",
  "codes.revokeText": "Koden holder op med at virke med det samme, også hos udbydere. Det kan ikke fortrydes.",
  "codes.empty": "Der er ingen koder endnu. Opret den første med »Tilføj en ny kode«.",
  "codes.revoked": "Koden er tilbagekaldt. Den kan ikke længere bruges.",
  "codes.renewTitle": "Opdater en kode, der er i brug?",
  "codes.renewText": "Koden erstattes af en ny kode, der gælder i 60 dage. Den nuværende kode holder op med at virke med det samme, også hos udbydere, så personen skal have den nye kode.",
  "codes.notApprovedYet": "Når jeres organisation er godkendt, kan I oprette godkendelseskoder her. Vi behandler jeres ansøgning og sender jer en e-mail, når den er godkendt.",
  "codes.suspended": "Jeres organisation er suspenderet. I kan ikke oprette godkendelseskoder, og jeres koder virker ikke, før organisationen er godkendt igen.",
  "codes.rejected": "Jeres ansøgning er ikke godkendt, så I kan ikke oprette godkendelseskoder.",
  "codes.formIntro": "Angiv fornavn, efternavn og mailadresse på den person, som skal bruge koden. Det skal være en person, der har tilladelse til at handle på jeres NGO's vegne.",
  "status.active": "Aktiv",
  "status.expired": "Udløbet",
  "status.revoked": "Tilbagekaldt",
  "status.invited": "Inviteret",
  "status.disabled": "Deaktiveret",
  "status.approved": "Godkendt",
  "status.pending_review": "Afventer godkendelse",
  "status.rejected": "Afvist",
  "status.suspended": "Suspenderet",
  "status.pending": "Afventer bevis",
  "status.locked": "Spærret",
  "status.open": "Åben",
  "status.closed": "Lukket",
  "users.title": "Selvbetjeningsbrugere",
  "users.create": "Opret selvbetjeningsbruger",
  "users.submit": "Opret",
  "users.created": "Brugeren er oprettet. Der er sendt en e-mail med en invitation til",
  "users.name": "Navn",
  "users.functions": "Funktioner",
  "users.edit": "Rediger",
  "users.disable": "Deaktiver",
  "users.enable": "Aktiver",
  "users.delete": "Slet",
  "users.reinvite": "Send invitation igen",
  "users.reinvited": "Der er sendt en ny invitation.",
  "users.deleteTitle": "Slet brugeren?",
  "users.deleteText": "Brugerens login slettes. Det kan ikke fortrydes.",
  "users.disableTitle": "Deaktiver brugeren?",
  "users.disableText": "Brugeren bliver logget ud alle steder og kan ikke logge ind, før brugeren aktiveres igen.",
  "users.saved": "Ændringerne er gemt.",
  "users.disabled": "er deaktiveret. Brugeren er logget ud alle steder og kan ikke logge ind, før brugeren aktiveres igen.",
  "users.enabled": "er aktiveret og kan logge ind igen.",
  "users.deleted": "er slettet. Brugerens login findes ikke længere.",
  "users.step": "Trin",
  "users.stepOf": "af",
  "users.step1": "Brugeroplysninger",
  "users.step1Hint": "Udfyld mobilnummer og e-mail korrekt, da brugeren skal logge ind med to-faktor godkendelse.",
  "users.step2": "Selskaber",
  "users.step2Hint": "Vælg de selskaber, som brugeren skal have adgang til.",
  "users.step3": "Adgang til kontonumre",
  "users.step3Hint": "Vælg om brugeren skal have fuld eller begrænset adgang til selskabets kontonumre.",
  "users.step4": "Funktioner",
  "users.step4Hint": "Vælg hvilke funktioner i selvbetjeningen, brugeren skal have adgang til.",
  "users.full": "Fuld adgang",
  "users.limited": "Begrænset adgang",
  "users.accountsFor": "Kontonumre i",
  "users.pickCompany": "Vælg mindst ét selskab.",
  "users.pickAccount": "Vælg mindst ét kontonummer for",
  "users.pickFunction": "Vælg mindst én funktion.",
  "users.outsideScope": "Uden for din adgang",
  "users.editTitle": "Rediger selvbetjeningsbruger",
  "users.lastAdmin": "Det kan ikke lade sig gøre: brugeren er organisationens sidste administrator. Der skal altid være mindst én aktiv bruger med funktionen Selvbetjeningsbrugere. Giv først en anden bruger den funktion, og prøv så igen.",
  "function.codes": "Godkendelseskoder",
  "function.users": "Selvbetjeningsbrugere (administrator)",
  "function.masterdata": "Stamdata",
  "function.history": "Valideringshistorik",
  "masterdata.title": "Stamdata",
  "masterdata.organisation": "Organisation",
  "masterdata.name": "Navn",
  "masterdata.handle": "Navn i koder",
  "masterdata.status": "Status",
  "masterdata.address": "Adresse",
  "masterdata.street": "Vej og nummer",
  "masterdata.postcode": "Postnummer",
  "masterdata.city": "By",
  "masterdata.contact": "Kontakt-e-mail",
  "masterdata.companies": "Selskaber og kontonumre",
  "masterdata.accountName": "Kontonavn",
  "masterdata.editAddress": "Ret adresse",
  "masterdata.saveAddress": "Gem adresse",
  "masterdata.noAddress": "Ingen adresse registreret",
  "companies.pendingTitle": "Selskaber, der venter på bevis",
  "companies.pendingIntro": "Et selskab hører først til organisationen, når det er bevist. Godkend sender et brev med en bekræftelseskode til selskabets officielle digitale postkasse (e-Boks); når selskabet giver jer koden, indtaster I den her. Indtil da kan der ikke oprettes koder under selskabet.",
  "companies.noPending": "Ingen selskaber venter på bevis.",
  "companies.legalName": "Navn i CVR-registret",
  "companies.expires": "Koden i brevet udløber",
  "companies.code": "Bekræftelseskode fra brevet",
  "companies.codeHint": "12 bogstaver og cifre, som de står i brevet til selskabet",
  "companies.prove": "Bekræft selskabet",
  "companies.proven": "hører nu til organisationen.",
  "companies.lockedText": "Koden er spærret efter for mange forkerte forsøg. Kun et nyt brev med en ny kode kan bevise selskabet.",
  "companies.newLetter": "Bed om et nyt brev",
  "companies.letterSent": "Der er sendt et brev med en bekræftelseskode til den officielle digitale postkasse for",
  "companies.letterUntil": "Koden kan bruges indtil",
  "companies.letterNext": "Når selskabet giver jer koden, indtaster I den under Selskaber, der venter på bevis.",
  "companies.addTitle": "Tilføj et selskab",
  "companies.addIntro": "Tilføj et selskab i koncernen, så der kan oprettes koder under det. Står jeres hovedselskab som ejer i CVR-registret, hører selskabet til organisationen med det samme. Ellers sender Godkend et brev med en bekræftelseskode til selskabets officielle digitale postkasse.",
  "companies.name": "Selskabets navn",
  "companies.nameHint": "Det navn, I bruger om selskabet",
  "companies.add": "Tilføj selskabet",
  "companies.addedNow": "er tilføjet organisationen med det samme, fordi CVR-registret har jeres hovedselskab som ejer.",
  "companies.forbidden": "Kun en administrator med fuld adgang til hovedselskabet kan tilføje selskaber.",
  "companies.codeLocked": "Koden er spærret efter for mange forkerte forsøg. Bed om et nyt brev med en ny kode.",
  "companies.gone": "Selskabet venter ikke længere på bevis: brevets kode er udløbet, eller selskabet er bevist af en anden organisation. Tilføj selskabet igen for at få et nyt brev.",
  "companies.tooManyLetters": "Der er sendt så mange breve til selskabets officielle digitale postkasse, som der må sendes i et døgn.",
  "companies.tryAgainAfter": "Prøv igen efter",
  "companies.tryAgainLater": "Prøv igen senere.",
  "companies.registerDown": "CVR-registret kan ikke nås lige nu. Prøv igen om lidt.",
  "companies.notGrowing": "En suspenderet eller afvist organisation kan ikke tilføje selskaber.",
  "history.title": "Valideringshistorik",
  "history.vendor": "Udbyder",
  "history.when": "Valideret",
  "history.empty": "Ingen udbydere har valideret jeres koder endnu. Når en udbyder tjekker en af jeres koder, står det her.",
  "audit.title": "Log over ændringer",
  "audit.when": "Tidspunkt",
  "audit.action": "Handling",
  "audit.actor": "Udført af",
  "audit.source": "Fra",
  "audit.empty": "Loggen er tom. Når nogen gør noget i jeres organisation, står det her.",
  "apply.title": "Ansøg om adgang",
  "apply.intro": "Udfyld ansøgningen. Brugernavn og aktiveringskode sendes til virksomhedens e-Boks inden for 2 timer.",
  "apply.name": "Organisationens navn",
  "apply.applicant": "Dig, der ansøger",
  "apply.organisation": "Organisationen",
  "apply.subsidiaries": "Datterselskaber",
  "apply.addSubsidiary": "Tilføj datterselskab",
  "apply.removeSubsidiary": "Fjern datterselskab",
  "apply.subsidiaryName": "Datterselskabets navn",
  "apply.accounts": "Kontonumre",
  "apply.accountsHint": "Valgfrit: organisationens kontonumre (fx afdelinger eller programmer). Uden kontonumre får I en Hovedkonto.",
  "apply.account": "Konto",
  "apply.addAccount": "Tilføj kontonummer",
  "apply.removeAccount": "Fjern konto",
  "apply.submit": "Send ansøgning",
  "apply.sent": "Tak for ansøgningen",
  "apply.sentText": "Brugernavn og aktiveringskode sendes til virksomhedens e-Boks senest",
  "apply.alreadyPending": "Der er allerede en ansøgning under behandling; der sendes ikke et brev mere.",
  "apply.hasAdmin": "Organisationen har allerede en administrator. Bed jeres administrator om et login, eller kontakt support, hvis I ikke kender det eksisterende login.",
  "activate.title": "Aktivér din konto",
  "activate.intro": "Skriv brugernavn og aktiveringskode fra brevet i e-Boks, og vælg en adgangskode.",
  "activate.code": "Aktiveringskode",
  "activate.submit": "Aktivér",
  "activate.done": "Kontoen er aktiveret. Log ind med dit brugernavn og din nye adgangskode.",
  "invite.title": "Vælg adgangskode",
  "invite.intro": "Skriv invitationskoden fra e-mailen, og vælg en adgangskode. Dit brugernavn står i e-mailen.",
  "invite.code": "Invitationskode",
  "invite.submit": "Gem adgangskode",
  "invite.done": "Din adgangskode er gemt. Log ind med brugernavnet fra e-mailen.",
  "problem.last-administrator": "Det kan ikke lade sig gøre: det er organisationens sidste administrator.",
  "problem.organisation-not-approved": "Jeres organisation er endnu ikke godkendt, så der kan ikke oprettes eller opdateres koder.",
  "problem.invitation-used": "Invitationen er allerede brugt. Log ind med dit brugernavn.",
  "problem.invitation-expired": "Invitationen er udløbet. Bed din administrator sende en ny.",
  "problem.invitation-revoked": "Invitationen gælder ikke længere. Bed din administrator sende en ny.",
  "problem.invitation-unknown": "Invitationskoden findes ikke. Tjek koden i e-mailen.",
  "problem.code-revoked": "En tilbagekaldt kode kan ikke opdateres; opret en ny kode i stedet.",
  "problem.forbidden": "Du har ikke adgang til at gøre det.",
  "problem.not-found": "Det findes ikke, eller du har ikke adgang til det.",
  "problem.invalid-input": "Nogle felter er ikke udfyldt korrekt.",
  "problem.not-printable": "Brevet til virksomhedens digitale postkasse kan ikke skrive navnet eller e-mailadressen, som de står.",
  // Form rules and problems the console meets outside the API's own answers (src/rules.ts, src/problems.ts).
  "problem.unauthenticated": "Du er ikke logget ind, eller dit login er udløbet. Log ind igen.",
  "problem.too-many-requests": "Der har været for mange forsøg. Vent lidt, og prøv så igen.",
  "problem.internal-error": "Noget gik galt hos os. Prøv igen om lidt, eller kontakt support, hvis det bliver ved.",
  "problem.gateway-timeout": "Tjenesten svarede ikke i tide. Prøv igen om lidt.",
  "problem.bad-request": "Forespørgslen kunne ikke bruges. Hent siden igen, og prøv igen.",
  "problem.payload-too-large": "Der er for meget indhold. Send mindre ad gangen.",
  "problem.unsupported-media-type": "Forespørgslen kunne ikke læses. Hent siden igen, og prøv igen.",
  "problem.unknown": "Noget gik galt. Prøv igen om lidt, eller kontakt support, hvis det bliver ved.",
} as const;

export type MessageKey = keyof typeof da;

/** The Danish words, which every first visit shows; src/i18n-en.ts has the English ones. */
export const danish: Record<MessageKey, string> = da;

// English comes in a chunk of its own, when first chosen (loadLanguage).
const loaded: Partial<Record<Language, Record<MessageKey, string>>> = { da };

function wordsOf(language: Language): Record<MessageKey, string> {
  return loaded[language] ?? da;
}

/** Fetches a language's words, if not here already; a language is shown only once they are. */
export async function loadLanguage(language: Language): Promise<void> {
  if (!loaded[language]) loaded[language] = (await import("./i18n-en")).en;
}

export type Translate = (key: MessageKey) => string;

export function translator(language: Language): Translate {
  const words = wordsOf(language);
  return (key) => words[key];
}

/**
 * A problem's text for people: our own words for the problems we know, the API's detail otherwise (said in
 * the language asked for), and for an answer that is no problem of the API (a proxy's page, a network
 * failure) our own words with a way forward, never its raw text.
 */
export function problemText(language: Language, slug: string, detail: string): string {
  const key = `problem.${slug}`;
  const words = wordsOf(language);
  if (key in words) return words[key as MessageKey];
  return slug.startsWith("about:") || !detail ? words["problem.unknown"] : detail;
}

interface LanguageContextValue {
  language: Language;
  t: Translate;
  setLanguage: (language: Language) => void;
}

export const LanguageContext = createContext<LanguageContextValue>({
  language: "da",
  t: translator("da"),
  setLanguage: () => undefined,
});

export function useI18n(): LanguageContextValue {
  return useContext(LanguageContext);
}

// The API says its field rules' messages in the language asked for (Accept-Language, src/api/client.ts).
// What a service of the API says itself about a field is English; the common ones are said in Danish here.
const DANISH_FIELD_MESSAGES: [RegExp, (m: RegExpMatchArray) => string][] = [
  // Passwords: the API's own words for what the identity provider refused, never the provider's.
  [/^The current password is not correct/i, () => "Den nuværende adgangskode er forkert."],
  [/^Not accepted\. At least 12 characters/i, () => "Adgangskoden opfylder ikke kravene: mindst 12 tegn med både store og små bogstaver og mindst ét tal."],
  [/^Choose a password other than the current one/i, () => "Vælg en anden adgangskode end den nuværende."],
  // The company register's answers name a CVR number too, so they come before the rule for a malformed one.
  [/^The company register has no company with this CVR/i, () => "CVR-registret har intet selskab med dette CVR-nummer."],
  [/^The company register lists this company as ceased/i, () => "Selskabet er ophørt ifølge CVR-registret."],
  [/^The company register has no official mailbox/i, () => "CVR-registret har ingen officiel digital postkasse for selskabet."],
  [/^Already part of (an|another) organisation in Godkend/i, () => "Selskabet hører allerede til en organisation i Godkend."],
  [/^A letter for this company is already on its way/i, () => "Der er allerede et brev med en kode på vej til selskabet. Indtast koden fra det brev."],
  [/^Wrong code\.?$/i, () => "Koden er forkert."],
  // What the letter to an official mailbox can print (the API's 422 not-printable).
  [/^A plain address/i, () => "Skriv en almindelig e-mailadresse: bogstaver, cifre, punktum, _, + og - før @."],
];

export function fieldMessage(language: Language, message: string): string {
  if (language !== "da") return message;
  for (const [pattern, say] of DANISH_FIELD_MESSAGES) {
    const found = message.match(pattern);
    if (found) return say(found);
  }
  return message;
}
