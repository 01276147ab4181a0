// The pages anyone may read, from the footer or by address: the accessibility statement, the privacy policy
// and cookies. Their words live here, in both languages, so that they come with the page and not with the
// first visit's script. docs/privacy.md holds the facts the privacy policy states briefly.
import type { ReactNode } from "react";

import { PageLink, SupportContact } from "../components/Footer";
import { useServices } from "../context";
import { useI18n, type Language } from "../i18n";
import { PATHS } from "../router";

type Texts = Record<Language, ReactNode>;

function Contact() {
  const { config } = useServices();
  if (!config.support) return null;
  return (
    <ul>
      <SupportContact support={config.support} />
    </ul>
  );
}

function Page({ texts }: { texts: Texts }) {
  const { language } = useI18n();
  return <div className="about-page">{texts[language]}</div>;
}

export function Accessibility() {
  return (
    <Page
      texts={{
        da: (
          <>
            {/* One long word: on a phone it breaks where the compound does, not at the screen's edge. */}
            <h1>
              Tilgængeligheds
              <wbr />
              erklæring
            </h1>
            <p>
              Alle skal kunne bruge Godkend: ansøge, aktivere en konto, logge ind og bruge Min konto, også med
              tastatur alene og på en lille skærm. Her står, hvordan vi har testet det, og hvad vi ikke har testet.
            </p>
            <h2>Sådan har vi testet</h2>
            <ul>
              <li>Siderne er testet i browseren Chromium og kun med tastaturet.</li>
              <li>De er testet i to størrelser: en computerskærm (1280 × 800) og en mobil (390 × 844).</li>
              <li>Testene kører automatisk, hver gang Godkend bliver ændret.</li>
            </ul>
            <h2>Det har vi ikke testet</h2>
            <p>
              Vi har ikke testet med skærmlæsere, i andre browsere eller med forstørrelse, og ingen uafhængig har
              gennemgået siderne. Vi kan derfor ikke love, at Godkend lever op til alle krav i WCAG 2.1 på niveau AA.
            </p>
            <h2>Fortæl os om problemer</h2>
            <p>Kan du ikke bruge en del af Godkend, så skriv eller ring til os. Vi hjælper dig og retter fejlen.</p>
            <Contact />
          </>
        ),
        en: (
          <>
            <h1>Accessibility statement</h1>
            <p>
              Everyone should be able to use Godkend: apply, activate an account, sign in and use My account, with
              the keyboard alone and on a small screen too. This is how we have tested it, and what we have not.
            </p>
            <h2>How we test</h2>
            <ul>
              <li>The pages are tested in the Chromium browser, with the keyboard only.</li>
              <li>They are tested at two sizes: a computer screen (1280 × 800) and a phone (390 × 844).</li>
              <li>The tests run automatically every time Godkend changes.</li>
            </ul>
            <h2>What we have not tested</h2>
            <p>
              We have not tested with screen readers, in other browsers or with magnification, and no independent
              party has reviewed the pages. So we cannot promise that Godkend meets every WCAG 2.1 level AA
              requirement.
            </p>
            <h2>Tell us about problems</h2>
            <p>If you cannot use part of Godkend, write or call us. We will help you and fix the problem.</p>
            <Contact />
          </>
        ),
      }}
    />
  );
}

export function Privacy() {
  return (
    <Page
      texts={{
        da: (
          <>
            <h1>Privatlivspolitik</h1>
            <p>
              Godkend bekræfter over for leverandører, at en organisation og dens repræsentanter er, hvem de siger.
              Vi gemmer kun det, der skal til for det, og sletter det igen efter de tider, der står her.
            </p>
            <h2>Hvis du har et login</h2>
            <p>
              Dit navn, din e-mail, dit mobilnummer, dine funktioner og de selskaber, du har adgang til, så du kan
              logge ind med din godkendelsesapp og få vores e-mails. Det gemmes, indtil dit login bliver slettet.
              Det, du ændrer, bliver logget med tidspunkt, IP-adresse og browser i 5 år, så din organisation kan se,
              hvem der gjorde hvad.
            </p>
            <h2>Hvis du har fået en godkendelseskode</h2>
            <p>
              Dit navn og din e-mail, så koden kan sendes til dig, og du kan få besked, før den udløber. Det slettes
              13 måneder efter, at koden sidst var gyldig. Når en leverandør tjekker din kode, gemmes dit navn og
              tidspunktet i 5 år som leverandørens dokumentation.
            </p>
            <h2>Hvis du har ansøgt om adgang</h2>
            <p>
              Dit navn, din e-mail, dit mobilnummer og den organisation, du ansøgte for, så brevet kan nævne dig, og
              dit login kan oprettes. Ansøgningen slettes 30 dage efter, at koden i brevet er udløbet.
            </p>
            <h2>E-mails</h2>
            <p>Modtager og emne på de e-mails, vi sender, gemmes i 90 dage, så vi kan sende igen, hvis noget går galt.</p>
            <h2>Se eller slet dine oplysninger</h2>
            <p>Du kan bede om at se, hvad vi har om dig, eller om at få det slettet. Skriv eller ring til os:</p>
            <Contact />
          </>
        ),
        en: (
          <>
            <h1>Privacy policy</h1>
            <p>
              Godkend confirms to vendors that an organisation and its representatives are who they say they are.
              We keep only what that takes, and delete it again after the periods stated here.
            </p>
            <h2>If you have a login</h2>
            <p>
              Your name, email, mobile number, functions and the companies you have access to, so that you can sign
              in with your authenticator app and get our emails. They are kept until your login is deleted. What you
              change is logged with the time, IP address and browser for 5 years, so that your organisation can see
              who did what.
            </p>
            <h2>If you have been given an approval code</h2>
            <p>
              Your name and email, so that the code can be sent to you and you are told before it expires. They are
              deleted 13 months after the code was last valid. When a vendor checks your code, your name and the
              time are kept for 5 years as the vendor&apos;s evidence.
            </p>
            <h2>If you have applied for access</h2>
            <p>
              Your name, email, mobile number and the organisation you applied for, so that the letter can name you
              and your login can be made. The application is deleted 30 days after the code in the letter expired.
            </p>
            <h2>Emails</h2>
            <p>The recipient and subject of the emails we send are kept for 90 days, so that we can send again if something fails.</p>
            <h2>See or delete your data</h2>
            <p>You can ask to see what we hold about you, or to have it deleted. Write or call us:</p>
            <Contact />
          </>
        ),
      }}
    />
  );
}

export function Cookies() {
  return (
    <Page
      texts={{
        da: (
          <>
            <h1>Cookies</h1>
            <p>Godkend sætter ingen cookies, hverken til statistik, annoncer eller andet. Derfor beder vi heller ikke om dit samtykke.</p>
            <p>
              Når du logger ind, husker siden dit login i browserens hukommelse, ikke i en cookie og ikke i
              browserens lager. Lukker du fanen, er du logget ud. Dit valg af sprog huskes også kun, mens siden er
              åben.
            </p>
          </>
        ),
        en: (
          <>
            <h1>Cookies</h1>
            <p>Godkend sets no cookies, for statistics, advertising or anything else. So we do not ask for your consent either.</p>
            <p>
              When you sign in, the page keeps your login in the browser&apos;s memory, not in a cookie and not in the
              browser&apos;s storage. When you close the tab, you are signed out. Your choice of language, too, is
              kept only while the page is open.
            </p>
          </>
        ),
      }}
    />
  );
}

/** Any address the console has no page for: says so, and offers the way on (the hosting still answers 200). */
export function NotFound({ signedIn }: { signedIn: boolean }) {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("notfound.title")}</h1>
      <p>{t("notfound.text")}</p>
      <ul className="unstyled-list">
        <li>
          <PageLink to={signedIn ? PATHS.account : PATHS.signIn}>
            {signedIn ? t("notfound.account") : t("notfound.signIn")}
          </PageLink>
        </li>
      </ul>
    </>
  );
}
